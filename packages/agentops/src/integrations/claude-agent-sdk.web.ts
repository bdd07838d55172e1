/** The Claude Agent SDK spawns Claude Code as a child process: no processes in Web-API runtimes. */
import type * as Node from './claude-agent-sdk.js';

export const enableClaudeAgentSdk: typeof Node.enableClaudeAgentSdk = () => () => {};
