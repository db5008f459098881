package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"strings"
	"testing"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/visits"
)

// gpsJPEG is a phone's photo: a JPEG whose EXIF carries the GPS point.
func gpsJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08GPSLatitude 28.5302N GPSLongitude 112.1315E")
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(payload)+2))
	c := buf.Bytes()
	return append(append(append([]byte{}, c[:2]...), append(seg, payload...)...), c[2:]...)
}

// getPhoto reads a photo with its checksum header.
func getPhoto(t *testing.T, f *fixture, id int64, token string) (int, string, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/photos/"+itoa64(id), nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Content-SHA256"), b
}

// A visit's field record, its versions and its photos are its team's
// until the draw is revealed: the plan's office, the burden office, the
// county's auditor and the auditors of the target's township and of
// another township all get the same not-found as for no visit at all,
// started or done. After the reveal, those the docs
// name read them, photos without their metadata; the team keeps the
// original and its checksum. Photo ids are not sequential.
func TestVisitRecordSealedUntilReveal(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := newVisitEnv(t, kind)
			f := e.f
			ctx := context.Background()
			target := e.visit.Unit
			_, burden := f.person("burden", "430922", "burden@430922")
			_, admin := f.person("admin-county", "430922", "admin@430922")
			_, auditor := f.person("auditor", "430922", "auditor@430922")
			_, auditorTown := f.person("auditor-town", target[:9], "auditor@"+target[:9])
			_, auditorOther := f.person("auditor-other", "430922101", "auditor@430922101")
			id := itoa64(e.visit.ID)

			*e.now = visitDay(e.visit.Day)
			if status, body := f.do("POST", "/api/v1/visits/"+id+"/start", e.tokens[e.leader], nil); status != 200 {
				t.Fatalf("start: %d %s", status, body)
			}
			b := fieldBody()
			b.Checks[0].Item = e.visit.Items[0].Item
			b.Point = &visits.Point{Lat: 28.5302, Lon: 112.1315}
			if status, body := f.do("PUT", "/api/v1/visits/"+id+"/record", e.tokens[e.member], b); status != 200 {
				t.Fatalf("save: %d %s", status, body)
			}
			original := gpsJPEG(t)
			var photos []visits.Photo
			for range 2 {
				status, _, body := upload(t, f, "/api/v1/visits/"+id+"/photos", e.tokens[e.member], "board.jpg", original)
				if status != 201 {
					t.Fatalf("photo: %d %s", status, body)
				}
				photos = append(photos, decodeJSON[visits.Photo](t, []byte(body)))
			}
			if d := photos[1].ID - photos[0].ID; d == 1 || d == -1 || photos[0].ID < 1<<32 {
				t.Errorf("photo ids are sequential: %d %d", photos[0].ID, photos[1].ID)
			}
			// Only JPEG and PNG, well formed, are taken: their metadata can
			// be stripped.
			if status, _, body := upload(t, f, "/api/v1/visits/"+id+"/photos", e.tokens[e.member], "a.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")); status != 400 ||
				!strings.Contains(body, "JPEG or PNG") {
				t.Errorf("gif: %d %s", status, body)
			}
			sum := sha256.Sum256(original)

			paths := []string{"/api/v1/visits/" + id + "/record", "/api/v1/visits/" + id + "/record/versions", "/api/v1/photos/" + itoa64(photos[0].ID)}
			missing := []string{"/api/v1/visits/999999/record", "/api/v1/visits/999999/record/versions", "/api/v1/photos/999999"}
			outsiders := map[string]string{"burden": burden, "admin": admin, "plan office": e.token, "county auditor": auditor,
				"auditor of the target's township": auditorTown, "auditor of another township": auditorOther, "inspector not in the team": e.tokens[e.other]}
			sealed := func(when string) {
				t.Helper()
				for who, tok := range outsiders {
					for i, path := range paths {
						s1, b1 := f.do("GET", path, tok, nil)
						s2, b2 := f.do("GET", missing[i], tok, nil)
						if s1 != 404 || s1 != s2 || string(b1) != string(b2) {
							t.Errorf("%s, %s: %s answers %d %s, a missing one %d %s", when, who, path, s1, b1, s2, b2)
						}
					}
				}
				for _, tok := range []string{e.tokens[e.leader], e.tokens[e.member]} {
					for _, path := range paths[:2] {
						if status, body := f.do("GET", path, tok, nil); status != 200 || !strings.Contains(string(body), "28.5302") && !strings.Contains(string(body), `"version"`) {
							t.Errorf("%s, team: %s %d %s", when, path, status, body)
						}
					}
					status, got, data := getPhoto(t, f, photos[0].ID, tok)
					if status != 200 || !bytes.Equal(data, original) || got != hex.EncodeToString(sum[:]) {
						t.Errorf("%s, team: photo %d %s, original %v", when, status, got, bytes.Equal(data, original))
					}
				}
			}
			sealed("started")
			b.Done = true
			if status, body := f.do("PUT", "/api/v1/visits/"+id+"/record", e.tokens[e.member], b); status != 200 {
				t.Fatalf("done: %d %s", status, body)
			}
			sealed("done")

			// Revealed after the window: those over the unit and the plan's
			// office read it; the photo without its metadata.
			*e.now = visitDay(e.visit.Day.AddDays(30))
			err := f.db.Write(ctx, store.System, func(tx *store.Tx) error {
				rec, err := f.db.DrawByID(ctx, e.draw.ID)
				if err != nil {
					return err
				}
				return tx.RevealDraw(ctx, rec)
			})
			if err != nil {
				t.Fatal(err)
			}
			for who, tok := range map[string]string{"burden": burden, "admin": admin, "plan office": e.token, "county auditor": auditor, "auditor of the target's township": auditorTown} {
				for _, path := range paths[:2] {
					if status, body := f.do("GET", path, tok, nil); status != 200 {
						t.Errorf("revealed, %s: %s %d %s", who, path, status, body)
					}
				}
				status, got, data := getPhoto(t, f, photos[0].ID, tok)
				stripped := sha256.Sum256(data)
				if status != 200 || bytes.Contains(data, []byte("GPS")) || bytes.Contains(data, []byte("Exif")) || got != hex.EncodeToString(stripped[:]) {
					t.Errorf("revealed, %s: photo %d %s, GPS kept %v", who, status, got, bytes.Contains(data, []byte("GPS")))
				}
				if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
					t.Errorf("revealed, %s: the stripped photo does not decode: %v", who, err)
				}
			}
			if status, got, data := getPhoto(t, f, photos[0].ID, e.tokens[e.member]); status != 200 || !bytes.Equal(data, original) || got != hex.EncodeToString(sum[:]) {
				t.Errorf("revealed, team: photo %d %s", status, got)
			}
			for _, path := range paths {
				if status, _ := f.do("GET", path, auditorOther, nil); status != 404 {
					t.Errorf("revealed, auditor of another township: %s %d", path, status)
				}
			}
		})
	}
}
