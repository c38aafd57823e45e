// InfiniteWidth
