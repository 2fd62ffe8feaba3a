// Package config is a stand-in for kaniko's: the Dockerfile extender is not available in this build.
package config

import "time"

// KanikoDir is where kaniko keeps its state.
var KanikoDir = "/kaniko"

// RegistryOptions holds registry settings.
type RegistryOptions struct{}

// CacheOptions holds cache settings.
type CacheOptions struct{ CacheTTL time.Duration }

// KanikoOptions holds build settings.
type KanikoOptions struct {
	BuildArgs         []string
	Cache             bool
	CacheOptions      CacheOptions
	CacheRunLayers    bool
	CacheCopyLayers   bool
	CacheRepo         string
	Cleanup           bool
	CustomPlatform    string
	DockerfilePath    string
	IgnorePaths       []string
	IgnoreVarRun      bool
	InitialFSUnpacked bool
	NoPush            bool
	Reproducible      bool
	SnapshotMode      string
	SrcContext        string
}
