package visits

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// ErrPhotoFormat is returned by StripMetadata for bytes that are not a
// well-formed JPEG or PNG.
var ErrPhotoFormat = errors.New("not a well-formed JPEG or PNG")

// PhotoTypes are the photo formats a field record takes: those whose
// metadata StripMetadata removes.
var PhotoTypes = []string{"image/jpeg", "image/png"}

// StripMetadata returns a copy of a JPEG or PNG photo without its
// metadata: a phone's photo carries the place where it was taken (EXIF
// GPS), the device and the time, which would tell where a sealed visit
// went. The image data is copied as it is, byte for byte, so nothing of
// the picture is lost:
//
//   - JPEG: every APPn segment but a JFIF APP0 and an Adobe APP14 (which
//     say how to read the colours), every comment (COM), and anything after
//     the end of the image are left out;
//   - PNG: only the chunks that draw the picture are kept (IHDR, PLTE,
//     IDAT, IEND, tRNS, gAMA, cHRM, sRGB, sBIT, bKGD, pHYs and APNG's
//     acTL, fcTL, fdAT); text, eXIf, tIME, iCCP and unknown chunks are
//     left out, and anything after IEND.
func StripMetadata(typ string, data []byte) ([]byte, error) {
	switch typ {
	case "image/jpeg":
		return stripJPEG(data)
	case "image/png":
		return stripPNG(data)
	}
	return nil, ErrPhotoFormat
}

func stripJPEG(b []byte) ([]byte, error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil, ErrPhotoFormat
	}
	out := make([]byte, 0, len(b))
	out = append(out, 0xFF, 0xD8)
	i := 2
	for {
		// A marker, after any fill bytes.
		if i >= len(b) || b[i] != 0xFF {
			return nil, ErrPhotoFormat
		}
		for i < len(b) && b[i] == 0xFF {
			i++
		}
		if i >= len(b) {
			return nil, ErrPhotoFormat
		}
		m := b[i]
		i++
		switch {
		case m == 0xD9: // end of image: what follows is left out
			return append(out, 0xFF, 0xD9), nil
		case m >= 0xD0 && m <= 0xD7 || m == 0x01: // no length
			out = append(out, 0xFF, m)
			continue
		}
		if i+2 > len(b) {
			return nil, ErrPhotoFormat
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return nil, ErrPhotoFormat
		}
		seg := b[i : i+n]
		i += n
		keep := true
		switch {
		case m == 0xE0:
			keep = bytes.HasPrefix(seg[2:], []byte("JFIF\x00"))
		case m == 0xEE:
			keep = bytes.HasPrefix(seg[2:], []byte("Adobe"))
		case m >= 0xE1 && m <= 0xEF, m == 0xFE:
			keep = false
		}
		if keep {
			out = append(out, 0xFF, m)
			out = append(out, seg...)
		}
		if m != 0xDA {
			continue
		}
		// Start of scan: the entropy-coded data runs to the next marker
		// other than a stuffed byte (FF 00) or a restart (FF D0–D7).
		j := i
		for j < len(b) {
			if b[j] != 0xFF {
				j++
				continue
			}
			if j+1 >= len(b) {
				return nil, ErrPhotoFormat
			}
			if x := b[j+1]; x == 0x00 || x >= 0xD0 && x <= 0xD7 {
				j += 2
				continue
			}
			break
		}
		if j >= len(b) {
			return nil, ErrPhotoFormat
		}
		out = append(out, b[i:j]...)
		i = j
	}
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngKept are the chunks that draw the picture.
var pngKept = map[string]bool{"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true, "tRNS": true, "gAMA": true,
	"cHRM": true, "sRGB": true, "sBIT": true, "bKGD": true, "pHYs": true, "acTL": true, "fcTL": true, "fdAT": true}

func stripPNG(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, pngSignature) {
		return nil, ErrPhotoFormat
	}
	out := make([]byte, 0, len(b))
	out = append(out, pngSignature...)
	i := len(pngSignature)
	for {
		if i+12 > len(b) {
			return nil, ErrPhotoFormat
		}
		n := int(binary.BigEndian.Uint32(b[i:]))
		if n < 0 || n > len(b)-i-12 {
			return nil, ErrPhotoFormat
		}
		typ := string(b[i+4 : i+8])
		end := i + 12 + n
		if pngKept[typ] {
			out = append(out, b[i:end]...)
		}
		i = end
		if typ == "IEND" {
			return out, nil
		}
	}
}
