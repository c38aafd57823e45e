// NetworkSampling
