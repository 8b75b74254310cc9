package postgres

import (
	"testing"

	"masthead/internal/store/storetest"
)

func TestReaderStores(t *testing.T) {
	storetest.RunReaders(t, func(t *testing.T) storetest.ReadersStore { return openURL(t, freshSchema(t)) })
}
