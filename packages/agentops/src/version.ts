/** Kept equal to package.json by a test. */
export const SDK_VERSION = '0.2.0';
