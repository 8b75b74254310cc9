package news

import (
	"fmt"
	"math"
)

// Crop is an aspect ratio the paper crops lead photos to for structured
// data and link previews (Google asks for 16:9, 4:3 and 1:1).
type Crop struct {
	Name string // "16x9": part of the file name
	W, H int    // the ratio
}

// Crops are the crops every photo with a file has, widest first.
var Crops = []Crop{{"16x9", 16, 9}, {"4x3", 4, 3}, {"1x1", 1, 1}}

// CropFile is the file name of photo ph cropped to c around its focal
// point: "crop-16x9.jpg" for the centre (FocalX, FocalY both 0, the unset
// value), else "crop-16x9-500-333.jpg" with the focal point in thousandths.
// The focal point is in the name because crops are served as immutable: a
// new focal point must be a new URL, or caches would keep the old crop.
func CropFile(ph *Photo, c Crop) string {
	fx, fy := ph.FocalX, ph.FocalY
	if fx == 0 && fy == 0 {
		return "crop-" + c.Name + ".jpg"
	}
	return fmt.Sprintf("crop-%s-%d-%d.jpg", c.Name, milli(fx), milli(fy))
}

// Focal returns the point a crop keeps in view, in [0,1]; the unset 0,0
// means the centre.
func (ph *Photo) Focal() (x, y float64) {
	if ph.FocalX == 0 && ph.FocalY == 0 {
		return 0.5, 0.5
	}
	return clamp01(ph.FocalX), clamp01(ph.FocalY)
}

func milli(v float64) int { return int(math.Round(clamp01(v) * 1000)) }

func clamp01(v float64) float64 {
	if math.IsNaN(v) || v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

// CropPath is the URL path of photo ph cropped to c.
func (p *Paper) CropPath(ph *Photo, c Crop) string {
	return fmt.Sprintf("/media/%d/%s/%s", ph.ID, ph.URLToken(), CropFile(ph, c))
}
