package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/kinesim/kinesim/k8s"
)

// k8sFlags configure kinesim k8s.
type k8sFlags struct {
	workers        int
	image          string
	out            string
	serviceAccount string
	namespace      string
	cpu, memory    string
	startDelay     time.Duration
	mergeWait      time.Duration
	endpoint       string
	region         string
	s3Endpoint     string
}

func newK8sCommand() *cobra.Command {
	var f k8sFlags
	cmd := &cobra.Command{
		Use:   "k8s SCENARIO --workers N --image IMAGE --out s3://BUCKET/PREFIX/",
		Short: "Print Kubernetes manifests that run a scenario on N pods and merge the result",
		Long: `Print, for kubectl apply -f -, a ConfigMap holding the scenario (as validated,
defaults applied), an Indexed Job of N pods (completionMode: Indexed,
parallelism = completions = N) whose pod K runs segment K/N of the scenario
(from JOB_COMPLETION_INDEX and KINESIM_SEGMENTS) from a common --start-at
(now plus --start-delay) and writes its run folder to
<out>segment-K-of-N/, and a merge Job that waits for every segment's
result.json under the prefix and writes the merged run folder to <out>merged/.
Pods take AWS credentials from the default chain: on EKS, give
--service-account an IAM role through IRSA (see docs/distributed.md).`,
		Example: `  kinesim k8s bike-rush-hour --workers 8 --image ghcr.io/kinesim/kinesim:v1 --out s3://my-bucket/rush-1/ --service-account kinesim | kubectl apply -f -`,
		Args:    scenarioArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return printManifests(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.workers, "workers", 0, "number of pods (segments); required")
	fl.StringVar(&f.image, "image", "", "kinesim container image (see the Dockerfile); required")
	fl.StringVar(&f.out, "out", "", "s3:// prefix the pods write their run folders under; required")
	fl.StringVar(&f.serviceAccount, "service-account", "", "the pods' service account (for IRSA on EKS)")
	fl.StringVar(&f.namespace, "namespace", "", "namespace written into every object")
	fl.StringVar(&f.cpu, "cpu", "1", "CPU request of each pod")
	fl.StringVar(&f.memory, "memory", "1Gi", "memory request and limit of each pod")
	fl.DurationVar(&f.startDelay, "start-delay", 2*time.Minute, "the common start is now plus this (time to schedule the pods and pull the image)")
	fl.DurationVar(&f.mergeWait, "merge-wait", 0, "how long the merge Job waits for the segments (default: the scenario's duration plus 15 minutes)")
	fl.StringVar(&f.endpoint, "endpoint", "", "Kinesis endpoint URL for the pods (default: Amazon Kinesis)")
	fl.StringVar(&f.region, "region", "", "AWS region for the pods")
	fl.StringVar(&f.s3Endpoint, "s3-endpoint", "", "S3-compatible server URL for the pods")
	return cmd
}

func printManifests(cmd *cobra.Command, ref string, f k8sFlags) error {
	switch {
	case f.workers < 1:
		return usageError("--workers %d: want 1 or more pods", f.workers)
	case f.image == "":
		return usageError("--image: required (build one with the Dockerfile at the repository's root)")
	case !strings.HasPrefix(f.out, "s3://"):
		return usageError("--out %q: the pods share no volume; give an s3:// prefix, e.g. s3://my-bucket/run-1/", f.out)
	}
	sc, err := loadScenario(ref)
	if err != nil {
		return err
	}
	if f.endpoint == "" && sc.Target.Kind != "kinesis" {
		return usageError("%s: target %s is private to each pod; the pods must share one stream: give --endpoint, or a kinesis target", sc.File, sc.Target.Kind)
	}
	text, err := yamlv3.Marshal(sc)
	if err != nil {
		return failure(err)
	}
	var runArgs []string
	for _, a := range [][2]string{{"--endpoint", f.endpoint}, {"--region", f.region}, {"--s3-endpoint", f.s3Endpoint}} {
		if a[1] != "" {
			runArgs = append(runArgs, a[0], a[1])
		}
	}
	wait := f.mergeWait
	if wait <= 0 {
		wait = sc.Duration.D() + f.startDelay + 15*time.Minute
	}
	cm, run, merge, err := k8s.Manifests(k8s.Config{
		Name: sc.Name, Scenario: text, Workers: f.workers, Image: f.image, Out: f.out,
		StartAt: time.Now().Add(f.startDelay).Truncate(time.Second), ServiceAccount: f.serviceAccount,
		Namespace: f.namespace, CPU: f.cpu, Memory: f.memory, RunArgs: runArgs, MergeWait: wait,
	})
	if err != nil {
		return usageError("%w", err)
	}
	data, err := k8s.YAML(cm, run, merge)
	if err != nil {
		return failure(err)
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "# kinesim k8s %s: %d pods, start at %s, run folders under %s\n%s",
		sc.Name, f.workers, run.Spec.Template.Spec.Containers[0].Args[5], f.out, data)
	return err
}
