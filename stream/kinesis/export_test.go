package kinesis

// WithListShardsPageSize lets tests exercise ListShards pagination.
var WithListShardsPageSize = withListShardsPageSize
