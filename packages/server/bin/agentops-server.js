#!/usr/bin/env node
// The `agentops-server` command: runs the built CLI. A file of its own, committed, so installing the
// workspace links the command before anything is built (pnpm warns about a bin that is not there).
import '../dist/cli.js';
