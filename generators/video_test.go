package generators

import (
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVideoFragmentsIncreasePerCamera(t *testing.T) {
	type camera struct {
		number   *big.Int
		producer time.Time
		pending  int
	}
	cameras := map[string]*camera{}
	var fragments, detections int
	for i, rec := range generate(t, "video-metadata", map[string]any{"cameras": 20, "fragment_length": "4s", "bitrate_kbps": 1000, "detections": 1.5}, 31, 20_000) {
		var e struct {
			Type     string    `json:"record_type"`
			Camera   string    `json:"camera_id"`
			Number   string    `json:"FragmentNumber"`
			Size     int       `json:"FragmentSizeInBytes"`
			Producer time.Time `json:"ProducerTimestamp"`
			Server   time.Time `json:"ServerTimestamp"`
			Length   int       `json:"FragmentLengthInMilliseconds"`
			Pending  int       `json:"detections"`
			Conf     float64   `json:"confidence"`
			Box      *struct {
				Left, Top, Width, Height float64
			} `json:"bounding_box"`
		}
		require.NoError(t, json.Unmarshal(rec, &e), "record %d: %s", i, rec)
		n, ok := new(big.Int).SetString(e.Number, 10)
		require.True(t, ok, "record %d: fragment number %q", i, e.Number)
		c := cameras[e.Camera]
		switch e.Type {
		case VideoFragment:
			fragments++
			if c != nil {
				require.Equal(t, 1, n.Cmp(c.number), "record %d: fragment number of %s increases", i, e.Camera)
				assert.Equal(t, 4*time.Second, e.Producer.Sub(c.producer), "record %d: fragments are back to back", i)
				assert.Zero(t, c.pending, "record %d: detections of the last fragment came first", i)
			}
			assert.Equal(t, 4000, e.Length)
			assert.InDelta(t, 1000*1000/8*4, e.Size, 1000*1000/8*4*0.6, "record %d: size ≈ bitrate × length", i)
			assert.True(t, e.Server.After(e.Producer), "record %d: server stamps after the producer", i)
			cameras[e.Camera] = &camera{number: n, producer: e.Producer, pending: e.Pending}
		case VideoDetection:
			detections++
			require.NotNil(t, c, "record %d: detection before any fragment", i)
			require.Zero(t, n.Cmp(c.number), "record %d: detection in the camera's last fragment", i)
			c.pending--
			require.NotNil(t, e.Box)
			assert.True(t, e.Conf >= 0.5 && e.Conf <= 1, "record %d: confidence %v", i, e.Conf)
			assert.LessOrEqual(t, e.Box.Left+e.Box.Width, 1.0001, "record %d: box inside the frame", i)
			assert.LessOrEqual(t, e.Box.Top+e.Box.Height, 1.0001, "record %d: box inside the frame", i)
		default:
			t.Fatalf("record %d: record_type %q", i, e.Type)
		}
	}
	assert.InDelta(t, 1.5, float64(detections)/float64(fragments), 0.1, "mean detections per fragment")
}
