// Package proc is a stand-in for kaniko's.
package proc

// RuntimeNotFound means no container runtime was detected.
const RuntimeNotFound = "not-found"

// GetContainerRuntime reports no container runtime.
func GetContainerRuntime(int, int) string { return RuntimeNotFound }
