package demo

import (
	"hash/fnv"
	"image"
	"image/color"
	"math"
	"math/rand/v2"

	"golang.org/x/image/vector"
)

// The demo paper's pictures are drawn here rather than downloaded: the
// binary must build a complete paper offline, and drawn images carry no
// licence question. Each is a small abstract composition chosen by the
// story's section and laid out from a seed, so the same story always gets
// the same picture. The alt texts in content/*.md describe these
// compositions, so a change of style here needs a change of alt text there.

// canvas is an RGBA image with antialiased drawing helpers.
type canvas struct {
	img  *image.RGBA
	w, h float32
	rnd  *rand.Rand
}

func newCanvas(w, h int, seed string) *canvas {
	f := fnv.New64a()
	f.Write([]byte(seed))
	s := f.Sum64()
	return &canvas{
		img: image.NewRGBA(image.Rect(0, 0, w, h)),
		w:   float32(w), h: float32(h),
		rnd: rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15)),
	}
}

// between returns a random float32 in [a, b).
func (c *canvas) between(a, b float32) float32 { return a + (b-a)*c.rnd.Float32() }

// gradient fills the canvas from top-left colour a to bottom-right colour b
// along the given angle (0: left to right, 90: top to bottom), in degrees.
func (c *canvas) gradient(a, b color.NRGBA, angle float64) {
	dx, dy := math.Cos(angle*math.Pi/180), math.Sin(angle*math.Pi/180)
	W, H := float64(c.w), float64(c.h)
	// Project the corners to find the range of t.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range [][2]float64{{0, 0}, {W, 0}, {0, H}, {W, H}} {
		t := p[0]*dx + p[1]*dy
		lo, hi = math.Min(lo, t), math.Max(hi, t)
	}
	pix := c.img.Pix
	for y := 0; y < c.img.Rect.Dy(); y++ {
		for x := 0; x < c.img.Rect.Dx(); x++ {
			t := ((float64(x)*dx + float64(y)*dy) - lo) / (hi - lo)
			i := y*c.img.Stride + x*4
			pix[i] = uint8(float64(a.R) + t*(float64(b.R)-float64(a.R)))
			pix[i+1] = uint8(float64(a.G) + t*(float64(b.G)-float64(a.G)))
			pix[i+2] = uint8(float64(a.B) + t*(float64(b.B)-float64(a.B)))
			pix[i+3] = 255
		}
	}
}

// shape is a set of closed polygons filled together (nonzero winding: a
// subpath wound the other way cuts a hole). It is rasterised only over its
// bounding box, which keeps many small shapes on a big canvas cheap.
type shape struct {
	paths [][]float32 // x0, y0, x1, y1, ...
}

func (c *canvas) path() *shape { return &shape{} }

func (z *shape) MoveTo(x, y float32) { z.paths = append(z.paths, []float32{x, y}) }

func (z *shape) LineTo(x, y float32) {
	z.paths[len(z.paths)-1] = append(z.paths[len(z.paths)-1], x, y)
}

func (z *shape) ClosePath() {}

func (c *canvas) fill(z *shape, col color.NRGBA) {
	minX, minY := float32(math.Inf(1)), float32(math.Inf(1))
	maxX, maxY := float32(math.Inf(-1)), float32(math.Inf(-1))
	for _, p := range z.paths {
		for i := 0; i+1 < len(p); i += 2 {
			minX, maxX = min(minX, p[i]), max(maxX, p[i])
			minY, maxY = min(minY, p[i+1]), max(maxY, p[i+1])
		}
	}
	r := image.Rect(int(math.Floor(float64(minX))), int(math.Floor(float64(minY))),
		int(math.Ceil(float64(maxX)))+1, int(math.Ceil(float64(maxY)))+1).Intersect(c.img.Rect)
	if r.Empty() {
		return
	}
	ox, oy := float32(r.Min.X), float32(r.Min.Y)
	ras := vector.NewRasterizer(r.Dx(), r.Dy())
	for _, p := range z.paths {
		ras.MoveTo(p[0]-ox, p[1]-oy)
		for i := 2; i+1 < len(p); i += 2 {
			ras.LineTo(p[i]-ox, p[i+1]-oy)
		}
		ras.ClosePath()
	}
	ras.Draw(c.img, r, image.NewUniform(col), image.Point{})
}

// ellipseTo adds a closed ellipse to z; reverse winds it the other way so
// that it cuts a hole in a shape wound the normal way.
func ellipseTo(z *shape, cx, cy, rx, ry float32, reverse bool) {
	const n = 96
	for i := 0; i <= n; i++ {
		a := 2 * math.Pi * float64(i) / n
		if reverse {
			a = -a
		}
		x, y := cx+rx*float32(math.Cos(a)), cy+ry*float32(math.Sin(a))
		if i == 0 {
			z.MoveTo(x, y)
		} else {
			z.LineTo(x, y)
		}
	}
	z.ClosePath()
}

func (c *canvas) circle(cx, cy, r float32, col color.NRGBA) {
	z := c.path()
	ellipseTo(z, cx, cy, r, r, false)
	c.fill(z, col)
}

func (c *canvas) ellipseRing(cx, cy, rx, ry, width float32, col color.NRGBA) {
	z := c.path()
	ellipseTo(z, cx, cy, rx+width/2, ry+width/2, false)
	ellipseTo(z, cx, cy, max(rx-width/2, 0), max(ry-width/2, 0), true)
	c.fill(z, col)
}

func (c *canvas) rect(x0, y0, x1, y1 float32, col color.NRGBA) {
	z := c.path()
	z.MoveTo(x0, y0)
	z.LineTo(x1, y0)
	z.LineTo(x1, y1)
	z.LineTo(x0, y1)
	z.ClosePath()
	c.fill(z, col)
}

// line strokes a straight segment of the given width.
func (c *canvas) line(x0, y0, x1, y1, width float32, col color.NRGBA) {
	dx, dy := x1-x0, y1-y0
	l := float32(math.Hypot(float64(dx), float64(dy)))
	if l == 0 {
		return
	}
	nx, ny := -dy/l*width/2, dx/l*width/2
	z := c.path()
	z.MoveTo(x0+nx, y0+ny)
	z.LineTo(x1+nx, y1+ny)
	z.LineTo(x1-nx, y1-ny)
	z.LineTo(x0-nx, y0-ny)
	z.ClosePath()
	c.fill(z, col)
}

// polygon fills the closed polygon through pts (x0, y0, x1, y1, ...).
func (c *canvas) polygon(col color.NRGBA, pts ...float32) {
	z := c.path()
	z.MoveTo(pts[0], pts[1])
	for i := 2; i+1 < len(pts); i += 2 {
		z.LineTo(pts[i], pts[i+1])
	}
	z.ClosePath()
	c.fill(z, col)
}

// ridge fills a mountain range from the bottom edge up to a jagged skyline
// around height y.
func (c *canvas) ridge(y, amp float32, peaks int, col color.NRGBA) {
	z := c.path()
	z.MoveTo(0, c.h)
	z.LineTo(0, y+c.between(-amp, amp)/2)
	step := c.w / float32(peaks)
	for i := 0; i < peaks; i++ {
		px := step*float32(i) + step/2 + c.between(-step/4, step/4)
		z.LineTo(px, y-c.between(amp/3, amp))
		z.LineTo(step*float32(i+1), y+c.between(-amp/4, amp/3))
	}
	z.LineTo(c.w, c.h)
	z.ClosePath()
	c.fill(z, col)
}

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{r, g, b, 255} }

func rgba(r, g, b, a uint8) color.NRGBA { return color.NRGBA{r, g, b, a} }

// Styles. Each names what the alt text of its stories says.
const (
	styleMountains = "mountains" // North Korea
	styleAssembly  = "assembly"  // National and its Politics
	styleChart     = "chart"     // Business
	styleGlobe     = "globe"     // World
	styleLights    = "lights"    // Culture
	styleField     = "field"     // Sports
	styleBubbles   = "bubbles"   // Opinion
	styleBorder    = "border"    // the seed story
)

// sectionStyle picks the composition for a section.
func sectionStyle(section string) string {
	switch section {
	case "North Korea":
		return styleMountains
	case "National", "Politics":
		return styleAssembly
	case "Business":
		return styleChart
	case "World":
		return styleGlobe
	case "Culture":
		return styleLights
	case "Sports":
		return styleField
	case "Opinion":
		return styleBubbles
	}
	return styleLights
}

// illustration draws a w×h picture in the given style.
func illustration(style, seed string, w, h int) *image.RGBA {
	c := newCanvas(w, h, seed)
	W, H := c.w, c.h
	switch style {
	case styleMountains:
		// Layered blue ridges under a pale moon, a border fence across.
		c.gradient(rgb(18, 32, 66), rgb(92, 120, 170), 90)
		c.circle(c.between(W*0.6, W*0.85), c.between(H*0.15, H*0.3), H*0.08, rgba(240, 236, 220, 235))
		c.ridge(H*0.55, H*0.18, 5, rgb(52, 74, 118))
		c.ridge(H*0.68, H*0.16, 7, rgb(34, 52, 92))
		fy := H * 0.82
		c.line(0, fy, W, fy-c.between(-H*0.03, H*0.03), H*0.006, rgba(230, 230, 230, 200))
		for x := float32(W * 0.03); x < W; x += W / 24 {
			c.line(x, fy-H*0.05, x, fy+H*0.05, H*0.008, rgba(230, 230, 230, 160))
		}
		c.ridge(H*0.9, H*0.06, 9, rgb(16, 26, 52))
	case styleAssembly:
		// A domed hall against an orange evening sky.
		c.gradient(rgb(250, 170, 90), rgb(170, 70, 80), 90)
		c.circle(c.between(W*0.15, W*0.3), c.between(H*0.2, H*0.35), H*0.09, rgba(255, 236, 180, 220))
		ground, cx := H*0.8, c.between(W*0.42, W*0.58)
		hw := W * c.between(0.2, 0.26)
		dark := rgb(60, 30, 50)
		c.rect(0, ground, W, H, dark)
		c.rect(cx-hw, ground-H*0.3, cx+hw, ground, dark)
		c.rect(cx-hw*1.08, ground-H*0.34, cx+hw*1.08, ground-H*0.3, dark)
		z := c.path()
		ellipseTo(z, cx, ground-H*0.34, hw*0.55, H*0.2, false)
		c.fill(z, dark)
		for i := 0; i < 8; i++ {
			x := cx - hw + hw*2*(float32(i)+0.5)/8
			c.rect(x-W*0.008, ground-H*0.28, x+W*0.008, ground-H*0.02, rgba(250, 190, 120, 150))
		}
	case styleChart:
		// Teal and amber bars with a zigzag trend line on dark navy.
		c.gradient(rgb(12, 22, 44), rgb(28, 44, 80), 60)
		for y := H * 0.2; y < H*0.9; y += H * 0.14 {
			c.line(W*0.06, y, W*0.94, y, 2, rgba(255, 255, 255, 40))
		}
		n := 10 + c.rnd.IntN(6)
		bw := W * 0.88 / float32(n)
		level := c.between(0.3, 0.6)
		var pts []float32
		for i := 0; i < n; i++ {
			level = min(max(level+c.between(-0.12, 0.14), 0.1), 0.85)
			x := W*0.06 + bw*float32(i)
			col := rgb(40, 190, 180)
			if i%3 == 2 {
				col = rgb(245, 170, 60)
			}
			top := H*0.9 - level*H*0.7
			c.rect(x+bw*0.15, top, x+bw*0.85, H*0.9, col)
			pts = append(pts, x+bw/2, top-H*0.06)
		}
		for i := 2; i+1 < len(pts); i += 2 {
			c.line(pts[i-2], pts[i-1], pts[i], pts[i+1], H*0.008, rgb(250, 250, 250))
		}
	case styleGlobe:
		// A globe with white latitude and longitude lines on deep blue.
		c.gradient(rgb(10, 40, 90), rgb(20, 90, 140), 120)
		cx, cy, r := c.between(W*0.4, W*0.6), H*0.5, H*0.36
		c.circle(cx, cy, r, rgb(30, 110, 170))
		for _, f := range []float32{-0.66, -0.33, 0, 0.33, 0.66} {
			y := cy + r*f
			half := r * float32(math.Sqrt(1-float64(f*f)))
			c.ellipseRing(cx, y, half, half*0.12, H*0.005, rgba(255, 255, 255, 170))
		}
		for _, f := range []float32{0.25, 0.6, 0.9} {
			c.ellipseRing(cx, cy, r*f, r, H*0.005, rgba(255, 255, 255, 170))
		}
		c.ellipseRing(cx, cy, r, r, H*0.01, rgb(240, 240, 240))
		for i := 0; i < 4; i++ {
			a := c.between(0, 2*math.Pi)
			d := r * c.between(1.15, 1.5)
			c.circle(cx+d*float32(math.Cos(float64(a))), cy+d*float32(math.Sin(float64(a))), H*0.012, rgba(255, 220, 120, 220))
		}
	case styleLights:
		// Overlapping translucent circles in pink, violet and gold.
		c.gradient(rgb(40, 16, 60), rgb(120, 30, 90), 45)
		cols := []color.NRGBA{rgba(255, 110, 170, 110), rgba(160, 110, 255, 110), rgba(255, 200, 80, 110)}
		for i := 0; i < 9; i++ {
			c.circle(c.between(0, W), c.between(0, H), c.between(H*0.12, H*0.42), cols[i%3])
		}
		for i := 0; i < 30; i++ {
			c.circle(c.between(0, W), c.between(0, H), c.between(2, H*0.012), rgba(255, 245, 220, 200))
		}
	case styleField:
		// White lines on a green field, one ball in motion.
		c.gradient(rgb(30, 120, 60), rgb(20, 90, 45), 90)
		for i := 0; i < 6; i++ {
			x := W * float32(i) / 6
			c.rect(x, 0, x+W/12, H, rgba(255, 255, 255, 14))
		}
		c.line(W*0.5, 0, W*0.5, H, H*0.008, rgba(255, 255, 255, 200))
		c.ellipseRing(W*0.5, H*0.5, H*0.22, H*0.22, H*0.008, rgba(255, 255, 255, 200))
		c.rect(0, H*0.08, W, H*0.088, rgba(255, 255, 255, 200))
		c.rect(0, H*0.912, W, H*0.92, rgba(255, 255, 255, 200))
		bx, by := c.between(W*0.6, W*0.8), c.between(H*0.3, H*0.7)
		for i := 1; i <= 4; i++ { // motion trail
			c.circle(bx-float32(i)*H*0.07, by+float32(i)*H*0.02, H*0.05, rgba(255, 255, 255, uint8(90-i*18)))
		}
		c.circle(bx, by, H*0.055, rgb(250, 250, 250))
	case styleBubbles:
		// Two overlapping speech bubbles, charcoal and red, on cream.
		c.gradient(rgb(248, 242, 228), rgb(236, 226, 206), 90)
		bubble := func(cx, cy, rx, ry float32, tailRight bool, col color.NRGBA) {
			z := c.path()
			ellipseTo(z, cx, cy, rx, ry, false)
			c.fill(z, col)
			tx := cx - rx*0.4
			dir := float32(-1)
			if tailRight {
				tx, dir = cx+rx*0.4, 1
			}
			c.polygon(col, tx-rx*0.12, cy+ry*0.8, tx+rx*0.12, cy+ry*0.8, tx+dir*rx*0.45, cy+ry*1.45)
		}
		bubble(c.between(W*0.33, W*0.4), H*0.4, W*0.22, H*0.24, false, rgba(45, 45, 50, 235))
		bubble(c.between(W*0.6, W*0.66), H*0.55, W*0.2, H*0.22, true, rgba(200, 40, 50, 225))
		for i := 0; i < 3; i++ {
			c.circle(W*0.35+float32(i)*W*0.04, H*0.4, H*0.025, rgb(248, 242, 228))
		}
	case styleBorder:
		// Two figures facing each other across a line on the ground, one
		// in blue and one in red.
		c.gradient(rgb(200, 214, 226), rgb(150, 170, 186), 90)
		ground := H * 0.72
		c.rect(0, ground, W, H, rgb(120, 130, 120))
		c.rect(W*0.495, ground, W*0.505, H, rgb(245, 245, 240))
		c.rect(W*0.2, H*0.2, W*0.42, ground, rgba(90, 120, 160, 120))
		c.rect(W*0.58, H*0.2, W*0.8, ground, rgba(90, 120, 160, 120))
		figure := func(x float32, col color.NRGBA) {
			c.circle(x, ground-H*0.42, H*0.055, col)
			c.polygon(col, x-H*0.09, ground-H*0.34, x+H*0.09, ground-H*0.34, x+H*0.07, ground-H*0.12, x-H*0.07, ground-H*0.12)
			c.rect(x-H*0.06, ground-H*0.12, x-H*0.015, ground, col)
			c.rect(x+H*0.015, ground-H*0.12, x+H*0.06, ground, col)
		}
		figure(W*0.42, rgb(40, 70, 140))
		figure(W*0.58, rgb(170, 40, 45))
	}
	return c.img
}

// portrait draws an avatar: a head-and-shoulders silhouette on a coloured
// background, different for every author.
func portrait(seed string, size int) *image.RGBA {
	c := newCanvas(size, size, seed)
	S := c.w
	bgs := [][2]color.NRGBA{
		{rgb(70, 110, 160), rgb(140, 180, 210)},
		{rgb(160, 90, 80), rgb(220, 170, 140)},
		{rgb(70, 130, 100), rgb(160, 200, 160)},
		{rgb(110, 80, 150), rgb(190, 160, 210)},
		{rgb(170, 130, 60), rgb(230, 200, 130)},
		{rgb(60, 70, 90), rgb(140, 150, 170)},
	}
	bg := bgs[c.rnd.IntN(len(bgs))]
	c.gradient(bg[0], bg[1], 90)
	skins := []color.NRGBA{rgb(241, 205, 170), rgb(224, 180, 140), rgb(198, 150, 110), rgb(160, 110, 80)}
	hairs := []color.NRGBA{rgb(30, 25, 25), rgb(60, 40, 30), rgb(90, 70, 50), rgb(120, 120, 125)}
	shirts := []color.NRGBA{rgb(40, 50, 70), rgb(240, 240, 235), rgb(120, 30, 40), rgb(50, 90, 80)}
	skin, hair, shirt := skins[c.rnd.IntN(len(skins))], hairs[c.rnd.IntN(len(hairs))], shirts[c.rnd.IntN(len(shirts))]
	cx := S / 2
	// Shoulders.
	z := c.path()
	ellipseTo(z, cx, S*1.02, S*0.38, S*0.3, false)
	c.fill(z, shirt)
	c.rect(cx-S*0.07, S*0.6, cx+S*0.07, S*0.76, skin) // neck
	// Hair behind the head, the head, then a fringe.
	long := c.rnd.IntN(2) == 0
	if long {
		c.rect(cx-S*0.2, S*0.36, cx+S*0.2, S*0.72, hair)
	}
	z = c.path()
	ellipseTo(z, cx, S*0.43, S*0.17, S*0.21, false)
	c.fill(z, skin)
	z = c.path()
	ellipseTo(z, cx, S*0.3, S*0.19, S*0.12, false)
	c.fill(z, hair)
	c.rect(cx-S*0.19, S*0.3, cx-S*0.16, S*0.45, hair)
	c.rect(cx+S*0.16, S*0.3, cx+S*0.19, S*0.45, hair)
	return c.img
}
