// Package executor is a stand-in for kaniko's: image extension is not available in this build.
package executor

import (
	"errors"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/osscontainertools/kaniko/pkg/config"
)

// DoBuild always fails: this lifecycle build cannot apply Dockerfiles.
func DoBuild(*config.KanikoOptions) (v1.Image, error) {
	return nil, errors.New("image extension is not available in this lifecycle build")
}
