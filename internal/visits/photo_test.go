package visits

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// testImage is a small picture with some detail.
func testImage() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := 0; y < 24; y++ {
		for x := 0; x < 32; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), uint8(x * y), 255})
		}
	}
	return img
}

// gpsExif is an APP1 segment of the kind a phone writes: "Exif", a TIFF
// header and a GPS tag, here with the place in clear text too.
func gpsExif() []byte {
	payload := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"), []byte("GPSLatitude 28.5302N GPSLongitude 112.1315E")...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// TestStripMetadataJPEG: EXIF (with GPS), XMP and comments are gone, the
// scan data is byte for byte the same, so the picture decodes to the same
// pixels; trailing bytes after the end of the image are gone too.
func TestStripMetadataJPEG(t *testing.T) {
	t.Parallel()
	var clean bytes.Buffer
	if err := jpeg.Encode(&clean, testImage(), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	c := clean.Bytes()
	// After SOI and JFIF APP0 (if any), insert EXIF, XMP and a comment.
	xmp := append([]byte{0xFF, 0xE1, 0, 0}, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta GPS/>")...)
	binary.BigEndian.PutUint16(xmp[2:], uint16(len(xmp)-2))
	com := append([]byte{0xFF, 0xFE, 0, 0}, []byte("taken at 430922100201")...)
	binary.BigEndian.PutUint16(com[2:], uint16(len(com)-2))
	var tagged []byte
	tagged = append(tagged, c[:2]...)
	tagged = append(tagged, gpsExif()...)
	tagged = append(tagged, xmp...)
	tagged = append(tagged, c[2:]...)
	// A comment between tables, and bytes after the end.
	tagged = append(tagged[:len(tagged)-2], append(com, 0xFF, 0xD9)...)
	tagged = append(tagged, []byte("GPS trailer")...)
	if _, err := jpeg.Decode(bytes.NewReader(tagged)); err != nil {
		t.Fatalf("the tagged test photo does not decode: %v", err)
	}
	out, err := StripMetadata("image/jpeg", tagged)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Exif", "GPS", "xmpmeta", "430922100201", "trailer"} {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("the stripped photo still holds %q", s)
		}
	}
	a, err := jpeg.Decode(bytes.NewReader(c))
	if err != nil {
		t.Fatal(err)
	}
	b, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("the stripped photo does not decode: %v", err)
	}
	if !bytes.Equal(a.(*image.YCbCr).Y, b.(*image.YCbCr).Y) || !bytes.Equal(a.(*image.YCbCr).Cr, b.(*image.YCbCr).Cr) {
		t.Error("the stripped photo's pixels differ from the original's")
	}
	// Stripping again changes nothing.
	again, err := StripMetadata("image/jpeg", out)
	if err != nil || !bytes.Equal(again, out) {
		t.Errorf("stripping twice: %v, same %v", err, bytes.Equal(again, out))
	}
}

// TestStripMetadataPNG: text and eXIf chunks are gone, the picture stays.
func TestStripMetadataPNG(t *testing.T) {
	t.Parallel()
	var clean bytes.Buffer
	if err := png.Encode(&clean, testImage()); err != nil {
		t.Fatal(err)
	}
	chunk := func(typ, data string) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		out = append(out, typ...)
		out = append(out, data...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE([]byte(typ+data)))
	}
	c := clean.Bytes()
	ihdrEnd := 8 + 12 + 13
	var tagged []byte
	tagged = append(tagged, c[:ihdrEnd]...)
	tagged = append(tagged, chunk("tEXt", "Comment\x00GPS 28.53N 112.13E")...)
	tagged = append(tagged, chunk("eXIf", "MM\x00\x2aGPS")...)
	tagged = append(tagged, c[ihdrEnd:]...)
	tagged = append(tagged, "GPS trailer"...)
	out, err := StripMetadata("image/png", tagged)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("GPS")) || bytes.Contains(out, []byte("tEXt")) {
		t.Errorf("the stripped PNG still holds metadata")
	}
	if !bytes.Equal(out, c) {
		t.Errorf("the stripped PNG is not the clean one")
	}
}

// TestStripMetadataRefuses what is not a well-formed JPEG or PNG, and
// never reads past the end.
func TestStripMetadataRefuses(t *testing.T) {
	t.Parallel()
	var clean bytes.Buffer
	if err := jpeg.Encode(&clean, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]struct {
		typ  string
		data []byte
	}{
		"gif":       {"image/gif", []byte("GIF89a")},
		"empty":     {"image/jpeg", nil},
		"truncated": {"image/jpeg", clean.Bytes()[:len(clean.Bytes())/2]},
		"long":      {"image/jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0}},
		"png short": {"image/png", append(append([]byte{}, pngSignature...), 0, 0, 0, 200, 'I', 'D', 'A', 'T')},
	} {
		if _, err := StripMetadata(in.typ, in.data); err == nil {
			t.Errorf("%s: stripped", name)
		}
	}
}

// FuzzStripMetadata: any bytes are stripped or refused without a panic;
// what comes out is never longer than what went in, and stripping it
// again changes nothing.
func FuzzStripMetadata(f *testing.F) {
	var j, p bytes.Buffer
	jpeg.Encode(&j, testImage(), nil)
	png.Encode(&p, testImage())
	f.Add(true, j.Bytes())
	f.Add(false, p.Bytes())
	f.Add(true, append(append([]byte{0xFF, 0xD8}, gpsExif()...), j.Bytes()[2:]...))
	f.Add(true, []byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF})
	f.Add(false, append(append([]byte{}, pngSignature...), 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0, 0, 0, 0))
	f.Fuzz(func(t *testing.T, isJPEG bool, data []byte) {
		typ := "image/png"
		if isJPEG {
			typ = "image/jpeg"
		}
		out, err := StripMetadata(typ, data)
		if err != nil {
			return
		}
		if len(out) > len(data) {
			t.Fatalf("stripped %d bytes into %d", len(data), len(out))
		}
		again, err := StripMetadata(typ, out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("stripping twice: %v", err)
		}
	})
}
