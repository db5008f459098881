package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"
)

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// A multipart upload is read within the file's limit and a little more:
// a long part other than the file is refused after a few KiB, and so is a
// body of many short parts once it passes the cap, without reading the
// rest.
func TestReadUploadFormCapped(t *testing.T) {
	t.Parallel()
	const limit = 10 << 10
	form := func(parts ...[2]string) (string, *countingReader) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, p := range parts {
			if p[0] == "file" {
				w, _ := mw.CreateFormFile("file", "f.csv")
				io.WriteString(w, p[1])
			} else {
				mw.WriteField(p[0], p[1])
			}
		}
		mw.Close()
		return mw.FormDataContentType(), &countingReader{r: &buf}
	}
	read := func(ct string, body io.Reader) ([]byte, *Error) {
		r := httptest.NewRequest("POST", "/", body)
		r.Header.Set("Content-Type", ct)
		data, err := readUpload(r, limit)
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("not an API error: %v", err)
		}
		return data, e
	}
	ct, body := form([2]string{"note", "a note"}, [2]string{"file", "code\nA\n"})
	if data, e := read(ct, body); e != nil || string(data) != "code\nA\n" {
		t.Fatalf("a plain form: %q %v", data, e)
	}
	// A part of 10 MiB before the file.
	ct, body = form([2]string{"note", strings.Repeat("x", 10<<20)}, [2]string{"file", "code\nA\n"})
	_, e := read(ct, body)
	if e == nil || e.Status() != 413 || e.Field != "note" || !strings.Contains(e.Message.EN, `field "note", other than the file, is too long: at most 4 KiB`) {
		t.Fatalf("a long part: %+v", e)
	}
	if body.n > limit+formOverhead {
		t.Errorf("read %d bytes of the body", body.n)
	}
	// Many short parts.
	var parts [][2]string
	for i := 0; i < 200; i++ {
		parts = append(parts, [2]string{fmt.Sprint("p", i), strings.Repeat("y", 4000)})
	}
	ct, body = form(append(parts, [2]string{"file", "code\nA\n"})...)
	_, e = read(ct, body)
	if e == nil || e.Status() != 413 || !strings.Contains(e.Message.EN, fmt.Sprintf("at most %d bytes", limit)) {
		t.Fatalf("many parts: %+v", e)
	}
	if body.n > limit+formOverhead+1 {
		t.Errorf("read %d bytes of the body", body.n)
	}
	// The file itself past its limit.
	ct, body = form([2]string{"file", strings.Repeat("z", 1<<20)})
	if _, e = read(ct, body); e == nil || e.Status() != 413 {
		t.Fatalf("a long file: %+v", e)
	}
	if body.n > limit+formOverhead+1 {
		t.Errorf("read %d bytes of the body", body.n)
	}
}
