// Package s3folder copies a run folder to and from an S3 prefix
// (s3://bucket/prefix/) through aws-sdk-go-v2, so that the pods of a split
// run need no shared volume: each writes its run folder to its own prefix,
// and kinesim merge reads them back.
//
// Credentials and region come from the SDK's default chain (environment,
// shared config and profile, web identity: IRSA on EKS, instance
// metadata). An endpoint override (Options.Endpoint, or AWS_ENDPOINT_URL_S3
// / AWS_ENDPOINT_URL) selects an S3-compatible server and path-style
// addressing (http://host/bucket/key), which such servers expect.
//
// A Client is safe for concurrent use; Upload and Download block until
// every object is copied or one fails.
package s3folder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Scheme prefixes an S3 location on the command line.
const Scheme = "s3://"

// Location is an S3 prefix: a bucket and a key prefix that ends in "/"
// (or is empty, the bucket's root).
type Location struct {
	Bucket string
	Prefix string
}

// String is the location as s3://bucket/prefix/.
func (l Location) String() string { return Scheme + l.Bucket + "/" + l.Prefix }

// Join is the location of a sub-folder.
func (l Location) Join(name string) Location {
	return Location{Bucket: l.Bucket, Prefix: l.Prefix + strings.Trim(name, "/") + "/"}
}

// IsURL reports whether s names an S3 location.
func IsURL(s string) bool { return strings.HasPrefix(s, Scheme) }

// ErrBadURL is wrapped by Parse's errors.
var ErrBadURL = errors.New("want s3://BUCKET/PREFIX/")

// Parse reads s3://bucket/prefix (a trailing "/" is added to the prefix).
func Parse(s string) (Location, error) {
	if !IsURL(s) {
		return Location{}, fmt.Errorf("%q: %w", s, ErrBadURL)
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return Location{}, fmt.Errorf("%q: %w", s, ErrBadURL)
	}
	prefix := strings.TrimPrefix(u.Path, "/")
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return Location{Bucket: u.Host, Prefix: prefix}, nil
}

// Options configure New.
type Options struct {
	// Endpoint is an S3-compatible server's URL; empty takes the SDK's
	// (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's, or AWS's).
	Endpoint string
	// Region overrides the default chain's region.
	Region string
	// Profile is a shared-config profile.
	Profile string
}

// Client copies folders to and from S3.
type Client struct {
	s3 *s3.Client
}

// New builds a client from the default credential chain.
func New(ctx context.Context, opts Options) (*Client, error) {
	var loadOpts []func(*config.LoadOptions) error
	if opts.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(opts.Region))
	}
	if opts.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(opts.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("s3: loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		// S3 needs a region to sign; an S3-compatible server ignores it.
		cfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
		// A custom endpoint is an S3-compatible server: path-style.
		o.UsePathStyle = o.BaseEndpoint != nil
	})
	return &Client{s3: client}, nil
}

// Upload copies every regular file directly in dir to loc (one object per
// file, named loc.Prefix + the file's name).
func (c *Client) Upload(ctx context.Context, dir string, loc Location) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := c.put(ctx, filepath.Join(dir, e.Name()), loc, e.Name()); err != nil {
			return err
		}
	}
	return nil
}

func (c *Client) put(ctx context.Context, file string, loc Location, name string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	_, err = c.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(loc.Bucket),
		Key:           aws.String(loc.Prefix + name),
		Body:          f,
		ContentLength: aws.Int64(info.Size()),
	})
	if err != nil {
		return fmt.Errorf("s3: put %s%s: %w", loc, name, err)
	}
	return nil
}

// Listing is what one level of a prefix holds.
type Listing struct {
	// Files are the object names directly under the prefix.
	Files []string
	// Folders are the sub-prefixes' names, without the trailing "/".
	Folders []string
}

// List lists one level of loc.
func (c *Client) List(ctx context.Context, loc Location) (Listing, error) {
	var out Listing
	p := s3.NewListObjectsV2Paginator(c.s3, &s3.ListObjectsV2Input{
		Bucket: aws.String(loc.Bucket), Prefix: aws.String(loc.Prefix), Delimiter: aws.String("/"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Listing{}, fmt.Errorf("s3: list %s: %w", loc, err)
		}
		for _, o := range page.Contents {
			out.Files = append(out.Files, strings.TrimPrefix(aws.ToString(o.Key), loc.Prefix))
		}
		for _, cp := range page.CommonPrefixes {
			out.Folders = append(out.Folders, strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), loc.Prefix), "/"))
		}
	}
	slices.Sort(out.Files)
	slices.Sort(out.Folders)
	return out, nil
}

// Download copies the objects directly under loc into dir, which it creates.
func (c *Client) Download(ctx context.Context, loc Location, dir string) error {
	listing, err := c.List(ctx, loc)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	for _, name := range listing.Files {
		if name == "" || path.Base(name) != name {
			continue // the prefix's own marker, or a name that is not a file's
		}
		if err := c.get(ctx, loc, name, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

func (c *Client) get(ctx context.Context, loc Location, name, file string) error {
	out, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Prefix + name)})
	if err != nil {
		return fmt.Errorf("s3: get %s%s: %w", loc, name, err)
	}
	defer out.Body.Close()
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	if _, err := io.Copy(f, out.Body); err != nil {
		f.Close()
		return fmt.Errorf("s3: get %s%s: %w", loc, name, err)
	}
	return f.Close()
}
