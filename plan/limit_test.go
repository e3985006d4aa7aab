package plan

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/scenarios"
)

// TestPlanRefusesDurationsOverItsLimit: ten years of traffic would need
// gigabytes of per-second state; Plan says so before allocating any.
func TestPlanRefusesDurationsOverItsLimit(t *testing.T) {
	sc := scenario(t, "{constant: 100/s}", "100B", "random", 87600*time.Hour, "")
	var res *Result
	var err error
	allocs := testing.AllocsPerRun(1, func() { res, err = Plan(t.Context(), sc, WithMeasuredRuns(false, 0)) })
	require.Error(t, err)
	assert.Nil(t, res)
	var se *scenarios.Error
	require.True(t, errors.As(err, &se))
	assert.Equal(t, "duration", se.Field)
	assert.Contains(t, err.Error(), "87600h is over the limit of 1080h")
	assert.Less(t, allocs, 100.0, "refused before the per-second state is made")
}

// TestPlanDurationLimitHasItsLine: validating with the plan's limit, as
// `kinesim plan` does, points at the duration's line.
func TestPlanDurationLimitHasItsLine(t *testing.T) {
	src := `name: long
seed: 3
duration: 87600h
target: {kind: emulated, stream: long, shards: 1}
producers:
  - name: p
    generator: bike
    rate: [{constant: 100/s}]
`
	opts := []scenarios.Option{scenarios.WithGenerators(generators.Kinds()...), scenarios.WithMaxDuration(MaxDuration, MaxDurationReason)}
	_, err := scenarios.Parse([]byte(src), "long.yaml", opts...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "long.yaml:3:")
	assert.Contains(t, err.Error(), "duration: 87600h is over the limit of 1080h: kinesim plan holds")
	at := fmt.Sprintf("duration: %v", scenarios.Duration(MaxDuration))
	_, err = scenarios.Parse([]byte(src[:len("name: long\nseed: 3\n")]+at+src[len("name: long\nseed: 3\nduration: 87600h"):]), "long.yaml", opts...)
	assert.NoError(t, err, "the limit itself is allowed")
}
