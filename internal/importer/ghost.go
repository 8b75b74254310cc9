package importer

import "io"

func (b *Batch) readGhost(p string, r io.Reader, o *readOpts) error {
	return lineError(p, 1, "ghost: todo")
}
