// A NiiVue view of a scan as loaded (its own grid, skull and all) with its brain mask outlined: the visual check of a registration.
import { useEffect, useRef } from 'react';
import { MULTIPLANAR_TYPE, Niivue, SHOW_RENDER, SLICE_TYPE, NVImage } from '@niivue/niivue';
import { registeredMaskBytes } from '../actions/registrationActions.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';
import { applyOutlineLabel } from './layerLoader.ts';
import { OUTLINE_LAYERS } from './layerStyles.ts';

export interface NativeCheckViewerProps {
  /** The registered case: its mask comes from the registration action. */
  caseId: string;
  /** The scan, as the worker client keeps its bytes. */
  imageFileId: string;
  fileName: string;
}

/** Multiplanar view of the scan with the mask outline; canvas and WebGL context are released on unmount. */
export function NativeCheckViewer({ caseId, imageFileId, fileName }: NativeCheckViewerProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const maskStyle = useViewerStore((s) => s.styles['brain-mask']);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const canvas = document.createElement('canvas');
    canvas.className = 'viewer-canvas';
    canvas.setAttribute('aria-label', `${fileName} on its own grid with its brain mask outlined`);
    container.append(canvas);
    const instance = new Niivue({
      dragAndDropEnabled: false,
      backColor: [0.06, 0.07, 0.09, 1],
      crosshairColor: [0.25, 0.75, 1, 0.55],
      multiplanarLayout: MULTIPLANAR_TYPE.ROW,
      multiplanarShowRender: SHOW_RENDER.NEVER,
      isOrientCube: false,
      logLevel: 'error',
      loadingText: '',
      sliceType: SLICE_TYPE.MULTIPLANAR,
      atlasOutline: 1,
    });
    let disposed = false;
    const observer = new ResizeObserver(() => instance.resizeListener());
    void (async () => {
      try {
        const scanBytes = workbenchWorker().fileBytes(imageFileId);
        const maskBytes = registeredMaskBytes(caseId);
        if (!scanBytes || !maskBytes) throw new Error('the scan or its registered mask is no longer loaded');
        await instance.attachToCanvas(canvas);
        const scan = await NVImage.loadFromUrl({ url: scanBytes, name: fileName, colormap: 'gray' });
        const mask = await NVImage.loadFromUrl({ url: maskBytes.slice().buffer, name: 'brain-mask.nii.gz', colormap: maskStyle.colormap, opacity: 1 });
        applyOutlineLabel(mask, maskStyle.colormap, OUTLINE_LAYERS['brain-mask']!);
        if (disposed) return;
        observer.observe(container);
        instance.volumes = [scan, mask];
        instance.back = scan;
        instance.overlays = [mask];
        instance.updateGLVolume();
      } catch (error) {
        if (!disposed) useErrorStore.getState().report(fileName, `could not show the scan with its brain mask: ${toUserError(error).message}`);
      }
    })();
    return () => {
      disposed = true;
      observer.disconnect();
      instance.cleanup();
      canvas.getContext('webgl2')?.getExtension('WEBGL_lose_context')?.loseContext();
      canvas.remove();
    };
  }, [caseId, imageFileId, fileName, maskStyle.colormap]);

  return <div ref={containerRef} className="viewer-canvas-holder" data-testid="native-check-viewer" />;
}
