package pacing_test

import (
	"fmt"
	"time"

	"github.com/kinesim/kinesim/runner/pacing"
	"github.com/kinesim/kinesim/scenarios"
)

// A producer warms up at 2 records/s for a second, then ramps to 6/s.
func ExampleNew() {
	warm := scenarios.Rate(2)
	schedule, err := pacing.New([]scenarios.RateSegment{
		{Constant: &warm, For: scenarios.Duration(time.Second)},
		{Ramp: &scenarios.RampShape{From: 2, To: 6}, For: scenarios.Duration(time.Second)},
	}, 2*time.Second, 42)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("rate at 1.5s:", schedule.Rate(1500*time.Millisecond), "records/s")
	fmt.Println("due by the end:", schedule.Due(schedule.End()))
	arrivals := pacing.NewArrivals(schedule)
	for offset, ok := arrivals.Next(); ok; offset, ok = arrivals.Next() {
		fmt.Println(offset)
	}
	// Output:
	// rate at 1.5s: 4 records/s
	// due by the end: 6
	// 500ms
	// 1s
	// 1.366025404s
	// 1.618033989s
	// 1.822875656s
	// 2s
}
