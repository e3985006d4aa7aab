package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/kinesim/kinesim/generators"
	"github.com/kinesim/kinesim/runner/segment"
	"github.com/kinesim/kinesim/scenarios"
)

// TestK8sManifestsDecodeStrictly decodes every manifest kinesim k8s prints
// into the Kubernetes API's own types, refusing unknown fields, and checks
// what makes the Job a split run.
func TestK8sManifestsDecodeStrictly(t *testing.T) {
	code, stdout, stderr := kinesim(t, "k8s", "bike-rush-hour", "--workers", "6", "--image", "ghcr.io/kinesim/kinesim:test",
		"--out", "s3://load-tests/rush/", "--endpoint", "http://kinesis.internal:4567", "--service-account", "kinesim-irsa", "--namespace", "load")
	require.Equal(t, 0, code, stderr)
	docs := strings.Split(stdout, "\n---\n")
	require.Len(t, docs, 3, "a ConfigMap, the Indexed Job and the merge Job")

	var cm corev1.ConfigMap
	require.NoError(t, yaml.UnmarshalStrict([]byte(docs[0]), &cm))
	assert.Equal(t, "ConfigMap", cm.Kind)
	assert.Equal(t, "load", cm.Namespace)
	_, err := scenarios.Parse([]byte(cm.Data["scenario.yaml"]), "configmap.yaml", scenarios.WithGenerators(generators.Kinds()...))
	require.NoError(t, err, "the ConfigMap holds a valid scenario")

	var run batchv1.Job
	require.NoError(t, yaml.UnmarshalStrict([]byte(docs[1]), &run))
	require.NotNil(t, run.Spec.CompletionMode)
	assert.Equal(t, batchv1.IndexedCompletion, *run.Spec.CompletionMode)
	assert.Equal(t, int32(6), *run.Spec.Completions)
	assert.Equal(t, int32(6), *run.Spec.Parallelism)
	assert.Equal(t, int32(0), *run.Spec.BackoffLimitPerIndex, "a retried segment would send its share twice")
	pod := run.Spec.Template.Spec
	assert.Equal(t, "kinesim-irsa", pod.ServiceAccountName)
	assert.Equal(t, corev1.RestartPolicyNever, pod.RestartPolicy)
	c := pod.Containers[0]
	assert.Equal(t, "ghcr.io/kinesim/kinesim:test", c.Image)
	assert.Contains(t, c.Env, corev1.EnvVar{Name: segment.EnvCount, Value: "6"})
	assert.Equal(t, []string{"run", "/etc/kinesim/scenario.yaml", "--out", "s3://load-tests/rush/"}, c.Args[:4])
	assert.Contains(t, strings.Join(c.Args, " "), "--endpoint http://kinesis.internal:4567")
	assert.Equal(t, "--start-at", c.Args[4])
	assert.False(t, c.Resources.Requests.Cpu().IsZero(), "pods request CPU")
	assert.False(t, c.Resources.Requests.Memory().IsZero(), "pods request memory")
	assert.Equal(t, cm.Name, pod.Volumes[0].ConfigMap.Name, "the pods mount the ConfigMap")

	var merge batchv1.Job
	require.NoError(t, yaml.UnmarshalStrict([]byte(docs[2]), &merge))
	args := merge.Spec.Template.Spec.Containers[0].Args
	assert.Equal(t, []string{"merge", "s3://load-tests/rush/merged/", "s3://load-tests/rush/", "--wait"}, args[:4])

	// Strict decoding is what catches a typo: the same Job with a
	// misspelt field is refused.
	typo := strings.Replace(docs[1], "completionMode:", "completionMod:", 1)
	assert.Error(t, yaml.UnmarshalStrict([]byte(typo), &batchv1.Job{}))
}

func TestK8sRefusesWhatCannotWork(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no shared volume", []string{"--workers", "2", "--image", "x", "--out", "/tmp/runs"}, "s3://"},
		{"no workers", []string{"--image", "x", "--out", "s3://b/p/"}, "--workers"},
		{"no image", []string{"--workers", "2", "--out", "s3://b/p/"}, "--image"},
		{"emulated target", []string{"--workers", "2", "--image", "x", "--out", "s3://b/p/"}, "--endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := kinesim(t, append([]string{"k8s", "bike-rush-hour"}, tt.args...)...)
			assert.Equal(t, 2, code, stderr)
			assert.Contains(t, stderr, tt.want)
		})
	}
}
