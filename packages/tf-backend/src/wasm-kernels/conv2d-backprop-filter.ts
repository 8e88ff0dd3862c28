import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from '../types.ts';
import { wasmKernel } from './call.ts';

/**
 * Conv2DBackpropFilter for the wasm backend (tfjs-backend-wasm 4.22 has none), composed from wasm
 * kernels. With x padded like the forward pass,
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh + kh, ow·sw + kw, ci] · dy[b,oh,ow,co],
 * which is a stride-1 convolution of x^T = x[ci,h,w,b] (batch ci, channels b) with the filter
 * dy^T = dy[oh,ow,b,co], dilated by the forward stride; its output is sliced to the filter size and
 * transposed back to [kh,kw,ci,co].
 */
export function conv2DBackpropFilterConfig(tf: Tf): KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
        attrs as unknown as Conv2DBackpropFilterAttrs;
      const $dataFormat = tf.backend_util.convertConv2DDataFormat(dataFormat);
      if ($dataFormat !== 'channelsLast') {
        throw new Error(`wasm Conv2DBackpropFilter supports dataFormat NHWC only, got ${dataFormat}`);
      }
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        pad,
        dimRoundingMode,
        false,
        $dataFormat,
      );
      const call = wasmKernel(tf, backend as KernelBackend);
      const { top, left } = info.padInfo;
      const [, inH = 0, inW = 0] = x.shape;
      const bottom = Math.max(0, (info.outHeight - 1) * info.strideHeight + info.filterHeight - top - inH);
      const right = Math.max(0, (info.outWidth - 1) * info.strideWidth + info.filterWidth - left - inW);

      const xT = call('Transpose', { x }, { perm: [3, 1, 2, 0] });
      const dyT = call('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
      const conv = call(
        'Conv2D',
        { x: xT, filter: dyT },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [info.strideHeight, info.strideWidth],
        },
      );
      const [ci = 0, convH, convW, co = 0] = conv.shape;
      const cropped =
        convH === info.filterHeight && convW === info.filterWidth
          ? conv
          : call(
              'Slice',
              { x: conv },
              { begin: [0, 0, 0, 0], size: [ci, info.filterHeight, info.filterWidth, co] },
            );
      const dW = call('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] });
      for (const t of new Set([xT, dyT, conv, cropped])) (backend as KernelBackend).disposeData(t.dataId);
      return dW;
    },
  };
}
