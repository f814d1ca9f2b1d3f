// esbuild bundles shaders/*.wgsl as text (loader '.wgsl': 'text').
declare module '*.wgsl' {
  const source: string;
  export default source;
}
