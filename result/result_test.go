package result

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestThisMachine(t *testing.T) {
	m := ThisMachine()
	assert.NotEmpty(t, m.OS)
	assert.NotEmpty(t, m.Arch)
	assert.Positive(t, m.CPUs)
	assert.Contains(t, m.GoVersion, "go")
}
