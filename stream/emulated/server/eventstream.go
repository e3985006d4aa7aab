package server

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

// The AWS event-stream encoding (application/vnd.amazon.eventstream), in
// which SubscribeToShard pushes its events. Each message is
//
//	total length   uint32, big-endian, the whole message
//	headers length uint32
//	prelude CRC    uint32, CRC-32 (IEEE) of the 8 bytes above
//	headers        name length uint8, name, value type uint8, value
//	payload
//	message CRC    uint32, CRC-32 of everything before it
//
// Written here rather than taken from the AWS SDK because only
// stream/kinesis imports the SDK; the tests decode it with the SDK's own
// decoder.

// eventHeader is one string-valued header (type 7), the only type
// SubscribeToShard's messages use.
type eventHeader struct{ name, value string }

// eventStreamContentType is the Content-Type of an event-stream response.
const eventStreamContentType = "application/vnd.amazon.eventstream"

const (
	headerTypeString = 7
	preludeLen       = 12
	messageCRCLen    = 4
	// maxEventMessage is the encoding's bound on one message (16 MiB);
	// events carry at most a few MiB.
	maxEventMessage = 16 << 20
)

// encodeEventMessage frames one message.
func encodeEventMessage(headers []eventHeader, payload []byte) ([]byte, error) {
	headersLen := 0
	for _, h := range headers {
		if len(h.name) > 255 || len(h.value) > 1<<15-1 {
			return nil, fmt.Errorf("event header %q: name or value too long", h.name)
		}
		headersLen += 1 + len(h.name) + 1 + 2 + len(h.value)
	}
	total := preludeLen + headersLen + len(payload) + messageCRCLen
	if total > maxEventMessage {
		return nil, fmt.Errorf("event message of %d bytes is over the encoding's %d", total, maxEventMessage)
	}
	msg := make([]byte, 0, total)
	msg = binary.BigEndian.AppendUint32(msg, uint32(total))
	msg = binary.BigEndian.AppendUint32(msg, uint32(headersLen))
	msg = binary.BigEndian.AppendUint32(msg, crc32.ChecksumIEEE(msg))
	for _, h := range headers {
		msg = append(msg, byte(len(h.name)))
		msg = append(msg, h.name...)
		msg = append(msg, headerTypeString)
		msg = binary.BigEndian.AppendUint16(msg, uint16(len(h.value)))
		msg = append(msg, h.value...)
	}
	msg = append(msg, payload...)
	msg = binary.BigEndian.AppendUint32(msg, crc32.ChecksumIEEE(msg))
	return msg, nil
}

// writeMessage writes one message with a payload c encoded: messageType
// "event" with :event-type kind, or "exception" (which ends the stream for
// the client) with :exception-type kind.
func writeMessage(w io.Writer, c codec, messageType, kind string, payload []byte) error {
	msg, err := encodeEventMessage([]eventHeader{
		{":" + messageType + "-type", kind},
		{":content-type", c.eventContentType},
		{":message-type", messageType},
	}, payload)
	if err != nil {
		return err
	}
	_, err = w.Write(msg)
	return err
}
