// The webview's name for the engine's errorMessage (engine/errors.ts): a thrown value's message,
// worded the same in every part of ConvLab. Pure: unit-tested.

export { errorMessage as errorText } from '../../engine';
