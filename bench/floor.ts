// The start-up floor: a Deno program that does nothing, run with the phase flags.
