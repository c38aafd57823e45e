// ExplorerCore
