//go:build tools

// Package tools pins pack v0.38.2 for the end-to-end tests: its main package is
// the module root, and its go.mod replaces BurntSushi/toml, so `go install
// …/pack@v0.38.2` is refused; this module repeats the replace and builds it.
package tools

import _ "github.com/buildpacks/pack"
