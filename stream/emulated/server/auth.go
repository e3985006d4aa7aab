package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/kinesim/kinesim/stream"
)

// Signature checking (WithSignatureCheck): AWS Signature Version 4 over the
// Authorization header, with Kinesis's answers. The presence checks and
// their texts are what Kinesis answers (kinesalite recorded them against
// Kinesis); a signature that does not match, and an access key that is not
// the server's, get the texts AWS's JSON services send.

// Auth error codes.
const (
	codeMissingToken        = "MissingAuthenticationTokenException"
	codeIncompleteSignature = "IncompleteSignatureException"
	codeInvalidSignature    = "InvalidSignatureException"
	codeUnrecognizedClient  = "UnrecognizedClientException"
)

// WithSignatureCheck makes the server verify each request's SigV4
// signature against one access key and its secret: a request without one
// gets MissingAuthenticationTokenException, one with a malformed
// Authorization header IncompleteSignatureException, another access key
// UnrecognizedClientException, and a wrong signature
// InvalidSignatureException. Default: off, any signature and credentials
// are accepted.
func WithSignatureCheck(accessKeyID, secretAccessKey string) Option {
	return func(o *options) { o.accessKeyID, o.secretAccessKey = accessKeyID, secretAccessKey }
}

// checkSignature verifies r's signature over body, when the server checks
// signatures.
func (s *Server) checkSignature(r *http.Request, body []byte) error {
	if s.opts.accessKeyID == "" {
		return nil
	}
	header := r.Header.Get("Authorization")
	_, inQuery := r.URL.Query()["X-Amz-Algorithm"]
	switch {
	case header != "" && inQuery:
		return stream.Errorf(codeInvalidSignature, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	case header == "" && !inQuery:
		return stream.Errorf(codeMissingToken, "Missing Authentication Token")
	case header == "":
		return stream.Errorf(codeIncompleteSignature, "kinesim checks signatures in the Authorization header only; Kinesis clients do not presign their calls.")
	}
	params := authParams(header)
	var msg strings.Builder
	for _, p := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[p] == "" {
			msg.WriteString("Authorization header requires '" + p + "' parameter. ")
		}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" && r.Header.Get("Date") == "" {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if msg.Len() > 0 {
		return stream.Errorf(codeIncompleteSignature, "%sAuthorization=%s", msg.String(), header)
	}
	scope := strings.Split(params["Credential"], "/") // AKID/DATE/REGION/SERVICE/aws4_request
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return stream.Errorf(codeIncompleteSignature, "Credential should be scoped to a valid region, not '%s'. ", strings.Join(scope[min(2, len(scope)):], "/"))
	}
	if scope[0] != s.opts.accessKeyID {
		return stream.Errorf(codeUnrecognizedClient, "The security token included in the request is invalid.")
	}
	want := sigV4(r, body, s.opts.secretAccessKey, amzDate, scope, params["SignedHeaders"])
	if !hmac.Equal([]byte(want), []byte(params["Signature"])) {
		return stream.Errorf(codeInvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}

// authParams reads "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=..." into its parameters, splitting as Kinesis does at commas
// and spaces.
func authParams(header string) map[string]string {
	fields := strings.FieldsFunc(header, func(r rune) bool { return r == ',' || r == ' ' })
	params := map[string]string{}
	for _, f := range fields[min(1, len(fields)):] {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		params[k] = v
	}
	return params
}

// sigV4 is the signature of r as SigV4 defines it, over the headers the
// client says it signed.
func sigV4(r *http.Request, body []byte, secret, amzDate string, scope []string, signedHeaders string) string {
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	if payloadHash == "" {
		sum := sha256.Sum256(body)
		payloadHash = hex.EncodeToString(sum[:])
	}
	var canonical strings.Builder
	canonical.WriteString(r.Method + "\n" + canonicalPath(r.URL) + "\n" + canonicalQuery(r.URL.Query()) + "\n")
	for _, name := range strings.Split(signedHeaders, ";") {
		var values []string
		switch name {
		case "host":
			values = []string{r.Host}
		case "content-length":
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		default:
			values = r.Header.Values(name)
		}
		for i, v := range values {
			values[i] = strings.Join(strings.Fields(v), " ")
		}
		canonical.WriteString(name + ":" + strings.Join(values, ",") + "\n")
	}
	canonical.WriteString("\n" + signedHeaders + "\n" + payloadHash)
	canonicalSum := sha256.Sum256([]byte(canonical.String()))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + strings.Join(scope[1:], "/") + "\n" + hex.EncodeToString(canonicalSum[:])
	key := []byte("AWS4" + secret)
	for _, part := range scope[1:] {
		key = hmacSHA256(key, part)
	}
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// canonicalPath is the URI path, each segment escaped as SigV4 wants.
func canonicalPath(u *url.URL) string {
	path := u.EscapedPath()
	if path == "" {
		return "/"
	}
	return path
}

// canonicalQuery is the query sorted by name then value, escaped as SigV4
// wants.
func canonicalQuery(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, sigV4Escape(k)+"="+sigV4Escape(v))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

func sigV4Escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
