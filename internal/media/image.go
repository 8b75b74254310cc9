package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"mime"

	xdraw "golang.org/x/image/draw"
)

// Content types the library accepts.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeWebP = "image/webp"
)

// sniff names the format by the file's first bytes. The name of an upload
// and the type its browser declares are both chosen by the sender, so they
// never decide how a file is decoded.
func sniff(data []byte) string {
	switch {
	case len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF:
		return TypeJPEG
	case len(data) >= 8 && bytes.Equal(data[:8], []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return TypeWebP
	}
	return ""
}

// normalizeType maps what browsers and people declare onto our three types:
// parameters and case are dropped, common aliases mapped, and the generic
// "I don't know" types some clients send become "" (undeclared). Anything
// else stays as it is and then fails to match.
func normalizeType(t string) string {
	if mt, _, err := mime.ParseMediaType(t); err == nil {
		t = mt // lower-cased, parameters dropped
	}
	switch t {
	case "image/jpg", "image/pjpeg", "jpeg", "jpg":
		return TypeJPEG
	case "png", "image/x-png":
		return TypePNG
	case "webp", "image/x-webp":
		return TypeWebP
	case "application/octet-stream", "binary/octet-stream", "application/unknown":
		return ""
	}
	return t
}

// jpegOrientation returns the EXIF orientation (1-8) of a JPEG, 1 when it has
// none or the EXIF block is malformed. It walks the marker segments up to the
// first scan and reads only tag 0x0112 of IFD0, with every offset checked,
// because the bytes come from strangers.
func jpegOrientation(data []byte) int {
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			return 1
		}
		if marker >= 0xD0 && marker <= 0xD7 || marker == 0x01 { // no length
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			if o := tiffOrientation(seg[6:]); o != 0 {
				return o
			}
		}
		i += 2 + n
	}
	return 1
}

func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 0
	}
	n := int(bo.Uint16(t[off:]))
	for k := 0; k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 0
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 { // SHORT
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 0
		}
	}
	return 0
}

// orient returns img turned the way EXIF orientation o says it is meant to
// be seen. Re-encoding drops the EXIF block, so the rotation has to be baked
// into the pixels or portrait phone photos would come out sideways.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	src := toRGBA(img)
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			si := sy*src.Stride + sx*4
			di := y*dst.Stride + x*4
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}

func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok && r.Rect.Min == (image.Point{}) {
		return r
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	return dst
}

// opaque reports whether every pixel of img is opaque, using the image's own
// fast check when it has one.
func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// resize scales img to w×h with Catmull-Rom, on a
// white background: renditions are JPEG, which has no transparency, and a
// transparent PNG flattened onto black would look broken.
func resize(img image.Image, w, h int) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	op := xdraw.Src
	if !opaque(img) {
		draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		op = xdraw.Over
	}
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, op, nil)
	return dst
}

var errWebPAnimated = errors.New("animated WebP")

// stripWebP rewrites a WebP file keeping only the chunks that make the
// picture (VP8X, ALPH, VP8, VP8L) and dropping EXIF, XMP, ICC profiles and
// unknown chunks. Go has no WebP encoder, so instead of re-encoding we copy
// the compressed image data as it is: lossless and as small as the upload,
// and no metadata survives. The VP8X flags are rewritten to match.
func stripWebP(data []byte) ([]byte, error) {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return nil, errors.New("not a WebP file")
	}
	size := int(binary.LittleEndian.Uint32(data[4:]))
	if size < 4 || size+8 > len(data) {
		return nil, errors.New("truncated WebP file")
	}
	body := data[12 : 8+size]
	var out bytes.Buffer
	out.WriteString("RIFF\x00\x00\x00\x00WEBP")
	for len(body) > 0 {
		if len(body) < 8 {
			return nil, errors.New("truncated WebP chunk")
		}
		id := string(body[:4])
		n := int(binary.LittleEndian.Uint32(body[4:]))
		padded := n + n&1
		if n < 0 || 8+n > len(body) {
			return nil, errors.New("truncated WebP chunk")
		}
		payload := body[8 : 8+n]
		switch id {
		case "ANIM", "ANMF":
			return nil, errWebPAnimated
		case "VP8X":
			if n < 10 {
				return nil, errors.New("bad VP8X chunk")
			}
			p := append([]byte(nil), payload...)
			// Keep only the alpha flag (bit 4); clear ICC (5), EXIF (3),
			// XMP (2) and animation (1), whose chunks are not copied.
			p[0] &= 0x10
			writeChunk(&out, id, p)
		case "ALPH", "VP8 ", "VP8L":
			writeChunk(&out, id, payload)
		}
		if 8+padded > len(body) {
			body = nil
		} else {
			body = body[8+padded:]
		}
	}
	b := out.Bytes()
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b, nil
}

func writeChunk(out *bytes.Buffer, id string, payload []byte) {
	var hdr [8]byte
	copy(hdr[:4], id)
	binary.LittleEndian.PutUint32(hdr[4:], uint32(len(payload)))
	out.Write(hdr[:])
	out.Write(payload)
	if len(payload)%2 == 1 {
		out.WriteByte(0)
	}
}

// shrink averages k×k blocks of img into one pixel (a box filter), onto a
// new RGBA image (premultiplied, as RGBA is). A 7000-pixel upload made into
// a 1600-pixel rendition is first shrunk by an integer factor to under
// twice the width, then scaled with Catmull-Rom: x/image/draw's kernels
// keep a float64 RGBA buffer of the destination width times the source
// height (358 MB for 7000×7000 to 1600), which is most of what a large
// upload cost. Box-then-kernel is also how libvips shrinks on load.
func shrink(img image.Image, k int) *image.RGBA {
	k = min(k, 256) // k²×0xffff must fit the uint32 sums
	b := img.Bounds()
	w, h := b.Dx()/k, b.Dy()/k
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	n := uint32(k * k)
	// Each source row's sums for the current output row.
	sums := make([][4]uint32, w)
	for oy := range h {
		clear(sums)
		for dy := range k {
			y := b.Min.Y + oy*k + dy
			addRow(sums, img, b.Min.X, y, k)
		}
		row := dst.Pix[oy*dst.Stride:]
		for ox, s := range sums {
			// 16-bit means become 8-bit.
			row[ox*4+0] = uint8(s[0] / n >> 8)
			row[ox*4+1] = uint8(s[1] / n >> 8)
			row[ox*4+2] = uint8(s[2] / n >> 8)
			row[ox*4+3] = uint8(s[3] / n >> 8)
		}
	}
	return dst
}

// addRow adds row y of img, k pixels per output column, to sums, as 16-bit
// premultiplied RGBA (what color.Color.RGBA returns). The common decoded
// types are read directly; others go through At.
func addRow(sums [][4]uint32, img image.Image, x0, y, k int) {
	switch m := img.(type) {
	case *image.NRGBA:
		p := m.Pix[m.PixOffset(x0, y):]
		for ox := range sums {
			s := &sums[ox]
			for i := range k {
				px := p[(ox*k+i)*4:]
				a := uint32(px[3]) * 0x101
				s[0] += uint32(px[0]) * 0x101 * a / 0xffff
				s[1] += uint32(px[1]) * 0x101 * a / 0xffff
				s[2] += uint32(px[2]) * 0x101 * a / 0xffff
				s[3] += a
			}
		}
	case *image.RGBA:
		p := m.Pix[m.PixOffset(x0, y):]
		for ox := range sums {
			s := &sums[ox]
			for i := range k {
				px := p[(ox*k+i)*4:]
				s[0] += uint32(px[0]) * 0x101
				s[1] += uint32(px[1]) * 0x101
				s[2] += uint32(px[2]) * 0x101
				s[3] += uint32(px[3]) * 0x101
			}
		}
	case *image.Gray:
		p := m.Pix[m.PixOffset(x0, y):]
		for ox := range sums {
			s := &sums[ox]
			for i := range k {
				g := uint32(p[ox*k+i]) * 0x101
				s[0] += g
				s[1] += g
				s[2] += g
				s[3] += 0xffff
			}
		}
	case *image.YCbCr:
		for ox := range sums {
			s := &sums[ox]
			for i := range k {
				x := x0 + ox*k + i
				r, g, bl := color.YCbCrToRGB(m.Y[m.YOffset(x, y)], m.Cb[m.COffset(x, y)], m.Cr[m.COffset(x, y)])
				s[0] += uint32(r) * 0x101
				s[1] += uint32(g) * 0x101
				s[2] += uint32(bl) * 0x101
				s[3] += 0xffff
			}
		}
	default:
		for ox := range sums {
			s := &sums[ox]
			for i := range k {
				r, g, bl, a := img.At(x0+ox*k+i, y).RGBA()
				s[0] += r
				s[1] += g
				s[2] += bl
				s[3] += a
			}
		}
	}
}
