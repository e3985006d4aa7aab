package kinesis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kinesim/kinesim/stream"
)

// streamRef addresses a stream by name, by ARN, or both. An ARN
// (arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME) is sent as StreamARN
// together with the name it holds: AWS accepts both, and servers that know
// no ARNs (kinesalite) use the name.
type streamRef struct {
	name *string
	arn  *string
}

func parseStreamRef(nameOrARN string) (streamRef, error) {
	if !strings.HasPrefix(nameOrARN, "arn:") {
		if nameOrARN == "" {
			return streamRef{}, &stream.APIError{Code: stream.CodeInvalidArgument, Message: "stream name is empty"}
		}
		return streamRef{name: aws.String(nameOrARN)}, nil
	}
	name, err := streamNameFromARN(nameOrARN)
	if err != nil {
		return streamRef{}, err
	}
	return streamRef{name: aws.String(name), arn: aws.String(nameOrARN)}, nil
}

// streamNameFromARN returns NAME from arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME.
func streamNameFromARN(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "kinesis" || !strings.HasPrefix(parts[5], "stream/") || len(parts[5]) == len("stream/") {
		return "", &stream.APIError{Code: stream.CodeInvalidArgument,
			Message: fmt.Sprintf("%q is not a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)", arn)}
	}
	name := strings.TrimPrefix(parts[5], "stream/")
	if i := strings.IndexByte(name, '/'); i >= 0 { // a consumer ARN: stream/NAME/consumer/...
		name = name[:i]
	}
	return name, nil
}

// CreateStream creates a stream, provisioned with in.ShardCount shards
// (Mode empty or stream.ModeProvisioned) or on-demand, with in.Tags, and
// blocks until it is ACTIVE, bounded by WithWaitTimeout. A stream of that
// name that already exists is an error matching stream.ErrInUse.
//
// Tags go in the CreateStream request, so a stream is never untagged;
// servers that ignore them there (kinesalite) get them through
// AddTagsToStream once the stream is ACTIVE.
func (t *Target) CreateStream(ctx context.Context, in *stream.CreateStreamInput) error {
	ref, err := parseStreamRef(in.StreamName)
	if err != nil {
		return err
	}
	req := &kinesis.CreateStreamInput{StreamName: ref.name}
	switch in.Mode {
	case stream.ModeOnDemand:
		req.StreamModeDetails = &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}
	case stream.ModeProvisioned, "":
		// Sent without StreamModeDetails: provisioned is the default, and
		// servers that predate capacity modes reject nothing this way.
		req.ShardCount = aws.Int32(int32(in.ShardCount))
	default:
		return &stream.APIError{Code: stream.CodeInvalidArgument,
			Message: fmt.Sprintf("stream mode %q is neither %s nor %s", in.Mode, stream.ModeProvisioned, stream.ModeOnDemand)}
	}
	if len(in.Tags) > 0 {
		req.Tags = in.Tags
	}
	if _, err := t.client.CreateStream(ctx, req); err != nil {
		return mapError("CreateStream "+*ref.name, err)
	}
	if _, err := t.waitActive(ctx, ref, "CreateStream"); err != nil {
		return err
	}
	if len(in.Tags) > 0 {
		return t.ensureTags(ctx, ref, in.Tags)
	}
	return nil
}

func (t *Target) ensureTags(ctx context.Context, ref streamRef, want map[string]string) error {
	have, err := t.streamTags(ctx, ref)
	if err != nil {
		return err
	}
	missing := map[string]string{}
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			missing[k] = v
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = t.client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: ref.name, StreamARN: ref.arn, Tags: missing})
	return mapError("AddTagsToStream "+*ref.name, err)
}

// DeleteStream deletes a stream, and its enhanced fan-out consumers with it,
// and blocks until it is gone, bounded by WithWaitTimeout. A stream that does
// not exist is an error matching stream.ErrNotFound.
func (t *Target) DeleteStream(ctx context.Context, nameOrARN string) error {
	ref, err := parseStreamRef(nameOrARN)
	if err != nil {
		return err
	}
	_, err = t.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{
		StreamName:              ref.name,
		StreamARN:               ref.arn,
		EnforceConsumerDeletion: aws.Bool(true),
	})
	if err != nil {
		return mapError("DeleteStream "+*ref.name, err)
	}
	return t.wait(ctx, ref, "DeleteStream", func(s *types.StreamDescriptionSummary, err error) (bool, error) {
		if errors.Is(err, stream.ErrNotFound) {
			return true, nil
		}
		return false, err
	})
}

var _ stream.Describer = (*Target)(nil)

// DescribeStreamSummary returns a stream's summary (the DescribeStreamSummary
// operation). A run that uses an existing stream untouched calls it to check
// the stream is there and ACTIVE.
func (t *Target) DescribeStreamSummary(ctx context.Context, nameOrARN string) (*stream.StreamSummary, error) {
	ref, err := parseStreamRef(nameOrARN)
	if err != nil {
		return nil, err
	}
	s, err := t.describe(ctx, ref)
	if err != nil {
		return nil, err
	}
	sum := &stream.StreamSummary{
		Name:           aws.ToString(s.StreamName),
		ARN:            aws.ToString(s.StreamARN),
		Status:         stream.Status(s.StreamStatus),
		Mode:           stream.ModeProvisioned,
		OpenShardCount: int(aws.ToInt32(s.OpenShardCount)),
		Retention:      time.Duration(aws.ToInt32(s.RetentionPeriodHours)) * time.Hour,
		ConsumerCount:  int(aws.ToInt32(s.ConsumerCount)),
		Created:        aws.ToTime(s.StreamCreationTimestamp),
	}
	if s.StreamModeDetails != nil && s.StreamModeDetails.StreamMode == types.StreamModeOnDemand {
		sum.Mode = stream.ModeOnDemand
	}
	return sum, nil
}

func (t *Target) describe(ctx context.Context, ref streamRef) (*types.StreamDescriptionSummary, error) {
	out, err := t.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: ref.name, StreamARN: ref.arn})
	if err != nil {
		return nil, mapError("DescribeStreamSummary "+*ref.name, err)
	}
	if out.StreamDescriptionSummary == nil {
		return nil, fmt.Errorf("kinesis DescribeStreamSummary %s: response without StreamDescriptionSummary", *ref.name)
	}
	return out.StreamDescriptionSummary, nil
}

// waitActive blocks until the stream is ACTIVE. A stream not found yet is
// waited for too: right after CreateStream, AWS may not know it everywhere.
func (t *Target) waitActive(ctx context.Context, ref streamRef, op string) (*types.StreamDescriptionSummary, error) {
	var last *types.StreamDescriptionSummary
	err := t.wait(ctx, ref, op, func(s *types.StreamDescriptionSummary, err error) (bool, error) {
		if errors.Is(err, stream.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		last = s
		return s.StreamStatus == types.StreamStatusActive, nil
	})
	return last, err
}

// Polling intervals while waiting for a stream to settle: short at first
// (emulators settle in milliseconds), then no more than once a second
// (DescribeStreamSummary allows 20 calls per second per account on AWS).
const (
	firstPoll = 25 * time.Millisecond
	maxPoll   = time.Second
)

// wait polls DescribeStreamSummary until done says so, done fails, or the
// wait timeout or ctx ends.
func (t *Target) wait(ctx context.Context, ref streamRef, op string, done func(*types.StreamDescriptionSummary, error) (bool, error)) error {
	return t.poll(ctx, op+" "+*ref.name, "stream", func(ctx context.Context) (bool, string, error) {
		s, err := t.describe(ctx, ref)
		var status string // "" keeps the last status seen
		if err == nil {
			status = string(s.StreamStatus)
		}
		if ctx.Err() != nil {
			return false, status, nil
		}
		ok, err := done(s, err)
		return ok, status, err
	})
}

// poll calls check until it reports done, fails, or the wait timeout or
// ctx ends; then the error names what (a stream, a consumer) and the last
// state check saw.
func (t *Target) poll(ctx context.Context, op, what string, check func(context.Context) (done bool, state string, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, t.opts.waitTimeout)
	defer cancel()
	poll := firstPoll
	state := "unknown"
	for {
		done, seen, err := check(ctx)
		if seen != "" {
			state = seen
		}
		if ctx.Err() != nil {
			return fmt.Errorf("kinesis %s: %s still %s when the wait ended (wait timeout %s): %w",
				op, what, state, t.opts.waitTimeout, ctx.Err())
		}
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(poll):
		}
		poll = min(poll*2, maxPoll)
	}
}

// ListStreams returns the names of every stream in the account and region,
// following pagination.
func (t *Target) ListStreams(ctx context.Context) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	in := &kinesis.ListStreamsInput{}
	for {
		out, err := t.client.ListStreams(ctx, in)
		if err != nil {
			return nil, mapError("ListStreams", err)
		}
		fresh := 0
		for _, n := range out.StreamNames {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
				fresh++
			}
		}
		if !aws.ToBool(out.HasMoreStreams) || len(out.StreamNames) == 0 || fresh == 0 {
			return names, nil
		}
		// NextToken where the server gives one; ExclusiveStartStreamName,
		// the older way every server knows, otherwise.
		if out.NextToken != nil {
			in = &kinesis.ListStreamsInput{NextToken: out.NextToken}
		} else {
			in = &kinesis.ListStreamsInput{ExclusiveStartStreamName: aws.String(out.StreamNames[len(out.StreamNames)-1])}
		}
	}
}

// StreamTags returns a stream's tags.
func (t *Target) StreamTags(ctx context.Context, nameOrARN string) (map[string]string, error) {
	ref, err := parseStreamRef(nameOrARN)
	if err != nil {
		return nil, err
	}
	return t.streamTags(ctx, ref)
}

func (t *Target) streamTags(ctx context.Context, ref streamRef) (map[string]string, error) {
	tags := map[string]string{}
	in := &kinesis.ListTagsForStreamInput{StreamName: ref.name, StreamARN: ref.arn}
	for {
		out, err := t.client.ListTagsForStream(ctx, in)
		if err != nil {
			return nil, mapError("ListTagsForStream "+*ref.name, err)
		}
		before := len(tags)
		for _, tag := range out.Tags {
			tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		if !aws.ToBool(out.HasMoreTags) || len(out.Tags) == 0 || len(tags) == before {
			return tags, nil
		}
		in = &kinesis.ListTagsForStreamInput{StreamName: ref.name, StreamARN: ref.arn,
			ExclusiveStartTagKey: out.Tags[len(out.Tags)-1].Key}
	}
}

// StreamsTagged returns the names of the streams whose tag key is set (to
// any value when value is empty). `kinesim cleanup` finds the streams that
// crashed runs left behind with it. It makes one ListTagsForStream call per
// stream in the account and region; streams deleted meanwhile are skipped.
func (t *Target) StreamsTagged(ctx context.Context, key, value string) ([]string, error) {
	names, err := t.ListStreams(ctx)
	if err != nil {
		return nil, err
	}
	var tagged []string
	for _, n := range names {
		tags, err := t.StreamTags(ctx, n)
		if errors.Is(err, stream.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if v, ok := tags[key]; ok && (value == "" || v == value) {
			tagged = append(tagged, n)
		}
	}
	return tagged, nil
}
