// Package k8s writes the Kubernetes manifests that run one scenario as a
// split run on a stock cluster: a ConfigMap holding the scenario, an
// Indexed Job whose pods are its segments (each learns K from
// JOB_COMPLETION_INDEX and N from KINESIM_SEGMENTS, and writes its run
// folder to an S3 prefix), and a merge Job that waits for every segment's
// result.json under the prefix and merges them (kinesim merge --wait).
//
// The manifests are built from the Kubernetes API types (k8s.io/api) and
// printed as YAML with sigs.k8s.io/yaml, so a field the API does not have
// cannot be written. Functions here are pure; nothing talks to a cluster.
package k8s

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Config says what to deploy.
type Config struct {
	// Name is the scenario's name; objects are named kinesim-<name>.
	Name string
	// Scenario is the scenario file's text, put in the ConfigMap.
	Scenario []byte
	// Workers is N, the number of segments (pods).
	Workers int
	// Image is the kinesim container image.
	Image string
	// Out is the s3:// prefix the segments write under.
	Out string
	// StartAt is the common start written into every pod's arguments.
	StartAt time.Time
	// ServiceAccount is the pods' service account (on EKS, the one IRSA
	// maps to an IAM role with Kinesis and S3 rights); empty for the default.
	ServiceAccount string
	// Namespace, when set, is written into every object.
	Namespace string
	// CPU and Memory are each pod's requests (the memory also its limit).
	CPU, Memory string
	// RunArgs are more kinesim run arguments (--endpoint, --region, ...).
	RunArgs []string
	// MergeWait bounds how long the merge Job waits for the segments.
	MergeWait time.Duration
}

// Paths and names inside the pods.
const (
	scenarioDir  = "/etc/kinesim"
	scenarioFile = "scenario.yaml"
	container    = "kinesim"
)

var dns1123 = regexp.MustCompile(`[^a-z0-9-]+`)

// objectName is kinesim-<name> as a DNS-1123 label (lower case, digits and
// dashes, at most 52 characters so a Job's pods' names fit in 63).
func objectName(name string) string {
	n := "kinesim-" + strings.Trim(dns1123.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(n) > 52 {
		n = strings.TrimRight(n[:52], "-")
	}
	return n
}

// Manifests returns the ConfigMap, the Indexed Job and the merge Job.
func Manifests(cfg Config) (*corev1.ConfigMap, *batchv1.Job, *batchv1.Job, error) {
	if cfg.Workers < 1 {
		return nil, nil, nil, fmt.Errorf("workers %d: want 1 or more", cfg.Workers)
	}
	if !strings.HasPrefix(cfg.Out, "s3://") {
		return nil, nil, nil, fmt.Errorf("out %q: the pods share no volume; want an s3:// prefix", cfg.Out)
	}
	name := objectName(cfg.Name)
	labels := map[string]string{"app.kubernetes.io/name": "kinesim", "app.kubernetes.io/instance": name}
	meta := func(n string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: n, Namespace: cfg.Namespace, Labels: labels}
	}
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: meta(name),
		Data:       map[string]string{scenarioFile: string(cfg.Scenario)},
	}
	resources, err := requests(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	run := segmentsJob(cfg, meta(name), name, resources)
	merge := mergeJob(cfg, meta(name+"-merge"), name, resources)
	return cm, run, merge, nil
}

func requests(cfg Config) (corev1.ResourceRequirements, error) {
	cpu, err := resource.ParseQuantity(cfg.CPU)
	if err != nil {
		return corev1.ResourceRequirements{}, fmt.Errorf("cpu %q: %w", cfg.CPU, err)
	}
	memory, err := resource.ParseQuantity(cfg.Memory)
	if err != nil {
		return corev1.ResourceRequirements{}, fmt.Errorf("memory %q: %w", cfg.Memory, err)
	}
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: cpu, corev1.ResourceMemory: memory},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: memory},
	}, nil
}

// segmentsJob is the Indexed Job: one pod per segment, never retried (a
// retried segment would send its share twice; merge reports a failed one).
func segmentsJob(cfg Config, meta metav1.ObjectMeta, name string, resources corev1.ResourceRequirements) *batchv1.Job {
	n := int32(cfg.Workers)
	zero := int32(0)
	mode := batchv1.IndexedCompletion
	args := append([]string{"run", scenarioDir + "/" + scenarioFile, "--out", cfg.Out,
		"--start-at", cfg.StartAt.UTC().Format(time.RFC3339), "--quiet"}, cfg.RunArgs...)
	pod := podSpec(cfg, name, args, resources)
	pod.Containers[0].Env = []corev1.EnvVar{{Name: "KINESIM_SEGMENTS", Value: fmt.Sprint(cfg.Workers)}}
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: meta,
		Spec: batchv1.JobSpec{
			CompletionMode:       &mode,
			Completions:          &n,
			Parallelism:          &n,
			BackoffLimitPerIndex: &zero,
			Template:             corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: meta.Labels}, Spec: pod},
		},
	}
}

// mergeJob waits for every segment's result.json under the prefix and
// merges them into <prefix>merged/.
func mergeJob(cfg Config, meta metav1.ObjectMeta, name string, resources corev1.ResourceRequirements) *batchv1.Job {
	zero := int32(0)
	prefix := strings.TrimSuffix(cfg.Out, "/") + "/"
	args := []string{"merge", prefix + "merged/", prefix, "--wait", cfg.MergeWait.String()}
	args = append(args, s3Args(cfg.RunArgs)...)
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: meta,
		Spec: batchv1.JobSpec{
			BackoffLimit: &zero,
			Template:     corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: meta.Labels}, Spec: podSpec(cfg, name, args, resources)},
		},
	}
}

// s3Args are the run arguments merge understands too.
func s3Args(runArgs []string) []string {
	for i, a := range runArgs {
		if a == "--s3-endpoint" && i+1 < len(runArgs) {
			return []string{a, runArgs[i+1]}
		}
		if strings.HasPrefix(a, "--s3-endpoint=") {
			return []string{a}
		}
	}
	return nil
}

func podSpec(cfg Config, configMap string, args []string, resources corev1.ResourceRequirements) corev1.PodSpec {
	nonRoot := true
	return corev1.PodSpec{
		RestartPolicy:      corev1.RestartPolicyNever,
		ServiceAccountName: cfg.ServiceAccount,
		SecurityContext:    &corev1.PodSecurityContext{RunAsNonRoot: &nonRoot},
		Containers: []corev1.Container{{
			Name:         container,
			Image:        cfg.Image,
			Args:         args,
			Resources:    resources,
			VolumeMounts: []corev1.VolumeMount{{Name: "scenario", MountPath: scenarioDir, ReadOnly: true}},
		}},
		Volumes: []corev1.Volume{{
			Name:         "scenario",
			VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: configMap}}},
		}},
	}
}

// YAML prints the objects as one multi-document YAML stream.
func YAML(objects ...any) ([]byte, error) {
	var buf bytes.Buffer
	for i, o := range objects {
		data, err := yaml.Marshal(o)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(data)
	}
	return buf.Bytes(), nil
}
