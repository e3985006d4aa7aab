// Package kinesis is the stream.Target for Amazon Kinesis Data Streams and
// any Kinesis-compatible endpoint, through aws-sdk-go-v2. It is the only
// package in kinesim that imports the AWS SDK.
package kinesis
