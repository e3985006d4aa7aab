package clock

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestVirtualSleepJumps(t *testing.T) {
	v := NewVirtual(epoch)
	var mu sync.Mutex
	var woke []time.Duration
	started := time.Now()
	v.Run(func() {
		g := NewGroup(v)
		for _, d := range []time.Duration{3 * time.Hour, time.Hour, 2 * time.Hour} {
			g.Go(func() {
				require.NoError(t, v.Sleep(context.Background(), d))
				mu.Lock()
				woke = append(woke, v.Now().Sub(epoch))
				mu.Unlock()
			})
		}
		g.Wait()
	})
	assert.Equal(t, []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour}, woke, "each sleeper wakes at its time, in order")
	assert.Equal(t, 3*time.Hour, v.Now().Sub(epoch))
	assert.Less(t, time.Since(started), 5*time.Second, "three simulated hours take no real time")
}

func TestVirtualSemaphoreHandsOver(t *testing.T) {
	v := NewVirtual(epoch)
	var acquiredAt []time.Duration
	v.Run(func() {
		sem := NewSemaphore(v, 1)
		g := NewGroup(v)
		for range 3 {
			g.Go(func() {
				require.NoError(t, sem.Acquire(context.Background()))
				acquiredAt = append(acquiredAt, v.Now().Sub(epoch)) // only the holder writes
				require.NoError(t, v.Sleep(context.Background(), time.Second))
				sem.Release()
			})
		}
		g.Wait()
	})
	// One slot, each holder keeps it one second: acquisitions at 0, 1, 2 s.
	assert.Equal(t, []time.Duration{0, time.Second, 2 * time.Second}, acquiredAt)
}

func TestVirtualCancelWakesSleeper(t *testing.T) {
	v := NewVirtual(epoch)
	v.Run(func() {
		ctx, cancel := context.WithCancel(context.Background())
		stop := AfterFunc(v, time.Minute, CancelFunc(v, cancel))
		defer stop()
		err := v.Sleep(ctx, time.Hour)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, time.Minute, v.Now().Sub(epoch), "the sleeper woke when the AfterFunc cancelled it")
	})
}

func TestVirtualAcquireCancelled(t *testing.T) {
	v := NewVirtual(epoch)
	v.Run(func() {
		sem := NewSemaphore(v, 1)
		require.True(t, sem.TryAcquire())
		assert.False(t, sem.TryAcquire(), "the only slot is taken")
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		stop := AfterFunc(v, time.Second, CancelFunc(v, cancel))
		defer stop()
		assert.ErrorIs(t, sem.Acquire(ctx), context.Canceled)
		sem.Release()
		assert.True(t, sem.TryAcquire(), "the slot is free again, not given to the cancelled waiter")
	})
}

func TestVirtualManyGoroutines(t *testing.T) {
	// 50 goroutines each sleep 1..50 ms 200 times: time ends at the longest
	// total, and nothing deadlocks.
	v := NewVirtual(epoch)
	v.Run(func() {
		g := NewGroup(v)
		for i := 1; i <= 50; i++ {
			g.Go(func() {
				for range 200 {
					if err := v.Sleep(context.Background(), time.Duration(i)*time.Millisecond); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		g.Wait()
	})
	assert.Equal(t, 200*50*time.Millisecond, v.Now().Sub(epoch))
}

func TestRealHelpers(t *testing.T) {
	// On the real clock the helpers are the plain constructs.
	c := Real{}
	sem := NewSemaphore(c, 1)
	require.True(t, sem.TryAcquire())
	assert.False(t, sem.TryAcquire())
	sem.Release()
	g := NewGroup(c)
	done := make(chan struct{})
	g.Go(func() { close(done) })
	g.Wait()
	<-done
	fired := make(chan struct{})
	AfterFunc(c, time.Millisecond, func() { close(fired) })
	<-fired
}

// TestIsSimulated: callers tell simulated time from the wall clock through
// the optional interface, whatever the concrete clock.
func TestIsSimulated(t *testing.T) {
	assert.True(t, IsSimulated(NewVirtual(epoch)), "a Virtual clock is simulated")
	assert.False(t, IsSimulated(Real{}), "the wall clock is not")
	assert.False(t, IsSimulated(Real{SpinBelow: time.Millisecond}), "nor a spinning wall clock")
}
