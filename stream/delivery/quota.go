package delivery

// Quota is a Direct PUT delivery stream's throughput quota, shared by
// PutRecord and PutRecordBatch.
type Quota struct {
	RecordsPerSecond  int
	RequestsPerSecond int
	BytesPerSecond    int
}

// Direct PUT quotas per delivery stream. Source: Amazon Data Firehose
// developer guide, "Amazon Data Firehose Quota" (firehose/latest/dev/limits.html):
// "For US East (N. Virginia), US West (Oregon), and Europe (Ireland):
// 500,000 records/second, 2,000 requests/second, and 5 MiB/second"; the
// other regions listed there get 100,000 records/second, 1,000
// requests/second and 1 MiB/second. The three scale together when raised.
// Older API reference pages still say "2,000 transactions per second, 5,000
// records per second, or 5 MB per second" (and an older quota page 5,000 and
// 1,000 records/s), so the emulator takes any Quota.
var (
	// LargeRegionQuota applies in us-east-1, us-west-2 and eu-west-1.
	LargeRegionQuota = Quota{RecordsPerSecond: 500_000, RequestsPerSecond: 2_000, BytesPerSecond: 5 << 20}
	// RegionQuota applies in every other region.
	RegionQuota = Quota{RecordsPerSecond: 100_000, RequestsPerSecond: 1_000, BytesPerSecond: 1 << 20}
)

// DefaultQuota is the Direct PUT quota of a new stream in region.
func DefaultQuota(region string) Quota {
	switch region {
	case "us-east-1", "us-west-2", "eu-west-1":
		return LargeRegionQuota
	}
	return RegionQuota
}
