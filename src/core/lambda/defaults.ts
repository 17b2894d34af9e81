/** Lambda's defaults for a function that declares no timeout or memory size (SAM and CloudFormation use them too). */
export const DEFAULT_TIMEOUT_SECONDS = 3;
export const DEFAULT_MEMORY_MB = 128;
