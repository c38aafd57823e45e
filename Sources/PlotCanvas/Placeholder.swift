// PlotCanvas
