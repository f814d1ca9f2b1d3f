// What a layer kind is: one object that tells the language how to read, check and describe the
// statement, and tells the engine how to build and run the layer. Every consumer (catalog,
// completion, shape inference, hovers, network builder, initialisation) reads these definitions,
// so a new layer kind is one module plus its kernels.
//
// The language half runs in the editor on every keystroke; the engine half only when a network is
// built. A definition reaches the engine through `BuildContext` and type-only imports, so the
// language (and the extension host bundle) never loads engine code.

import type { StatementInfo } from '../lang/catalog';
import type { LayerShape } from '../lang/shapes';
import type { Diagnostic, LayerFigures, Range, Shape } from '../lang/spec';
import type { Statement } from '../lang/syntax';
import type { WrittenArg } from '../lang/bind';
import type { Backend } from '../engine/backend';
import type { Layer, Param, StateBuffer } from '../engine/layers/layer';
import type { ParamKind } from '../engine/tensor-names';
import type { OnnxExportContext, OnnxLayerNode } from '../export/onnx/layer-export';
import type { TorchLayerContext, TorchModule } from '../export/pytorch/layer-export';

/** What every layer spec carries: where it was declared. */
export interface LayerBase {
  /** Zero-based line of the statement that declared the layer. */
  readonly line: number;
  /** Range of the whole statement (without the trailing comment). */
  readonly range: Range;
}

/**
 * How the rest of the model relates to a layer:
 * - weighted: a learned linear map (conv, dense); it sets the output size and ends the search for
 *   the activation that picks a weight initialisation;
 * - activation: an element-wise nonlinearity, which picks the initialisation of the weights before it;
 * - pooling, reshape: change the shape without weights;
 * - elementwise: keeps the shape (dropout, batchnorm);
 * - softmax: turns scores into probabilities; fused into cross-entropy when last.
 */
export type LayerRole = 'weighted' | 'activation' | 'pooling' | 'reshape' | 'elementwise' | 'softmax';

/** The statement's bound arguments, for building its spec. */
export interface LayerArguments {
  readonly statement: Statement;
  readonly written: ReadonlyMap<string, WrittenArg>;
  /** A parameter's valid written value, else its default, else `fallback`. */
  number(name: string, fallback: number): number;
  pair(name: string, fallback: readonly [number, number]): readonly [number, number];
  boolean(name: string, fallback: boolean): boolean;
  /** The parameter was written as `same` (padding). */
  isSame(name: string): boolean;
  /** Adds a diagnostic about this statement's arguments. */
  report(diagnostic: Diagnostic): void;
}

/** A layer spec built from its statement; `broken` when its output cannot be trusted. */
export interface ReadLayer<S> {
  readonly layer: S;
  readonly broken: boolean;
}

/** How a parameter's initial values are drawn (see engine/layers/init.ts). */
export type ParamInit =
  /** He normal when a relu follows the layer, else Xavier normal (fans from the shape [out, in, …kernel]). */
  | 'fan'
  | 'zeros'
  | 'ones';

/** What the engine hands a definition to build one layer. */
export interface BuildContext {
  readonly backend: Backend;
  /** Index into ModelSpec.layers; part of every tensor name. */
  readonly index: number;
  /** Shape of one example in: [C, H, W] or [F]. */
  readonly inputShape: Shape;
  /** Largest batch any call will use; per-example scratch tensors are sized for it. */
  readonly maxBatch: number;
  /** Allocates a learnable tensor `layers.<index>.<suffix>` with its gradient. */
  param(suffix: ParamKind, shape: readonly number[], init: ParamInit): Param;
  /** Allocates saved non-learnable state `layers.<index>.<suffix>`, starting at `initial`. */
  buffer(suffix: ParamKind, length: number, initial: number): StateBuffer;
  /** An error that names this layer and its line. */
  error(message: string): Error;
}

export interface LayerDefinition<S extends LayerBase & { readonly kind: string }> {
  /** The catalog entry: keyword, documentation, parameters, snippet, aliases. */
  readonly statement: StatementInfo & { readonly category: 'layer' };
  readonly role: LayerRole;
  /** Its outputs are worth drawing as feature-map grids in the panel. */
  readonly plotsFeatureMaps?: boolean;
  /** The parameter that sets the output size, for "make the model end in N classes" fixes. */
  readonly sizeParam?: string;
  /** The spec, from the statement's bound arguments (may report argument diagnostics). */
  read(args: LayerArguments, base: LayerBase): ReadLayer<S>;
  /** The shape rule: output shape, counts and the arithmetic, or the problem. */
  infer(layer: S, input: Shape): LayerShape;
  /** The hover's one-line summary of the settings, e.g. `6 × 5×5 pad 2`. */
  describe(layer: S): string;
  /** How the parameter count is made up, e.g. ` (6·1·5·5 + 6)`; input is known. */
  paramBreakdown?(layer: S, input: Shape): string;
  /** Extra hover lines once the output is known. */
  hoverNotes?(layer: S, figures: LayerFigures): readonly string[];
  /** The ONNX nodes that compute the layer in evaluation mode (`convlab export --to onnx`). */
  onnx(layer: S, ctx: OnnxExportContext): readonly OnnxLayerNode[];
  /** The engine layer: allocate through ctx, run on ctx.backend. */
  create(ctx: BuildContext, layer: S): Layer;
  /** The torch.nn module that computes the same (model.py of `convlab export --to pytorch`). */
  torch(layer: S, ctx: TorchLayerContext): TorchModule;
}
