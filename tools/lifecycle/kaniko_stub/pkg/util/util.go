// Package util is a stand-in for kaniko's.
package util

// IgnoreListEntry is a path kaniko ignores when snapshotting.
type IgnoreListEntry struct {
	Path            string
	PrefixMatchOnly bool
}

// AddToDefaultIgnoreList records an ignored path.
func AddToDefaultIgnoreList(IgnoreListEntry) {}
