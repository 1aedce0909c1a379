// On a healthy-train case card: how many slices training uses and how many it leaves out for lesions, with a warning for segmentations.
import { useEffect, useState } from 'react';
import { countTrainingSlices, type TrainingSliceCounts } from '../actions/trainingSlices.ts';

export function TrainingSlices({ caseId, hasSegmentation, version }: { caseId: string; hasSegmentation: boolean; version: string }) {
  const [counts, setCounts] = useState<{ version: string; value: TrainingSliceCounts | null }>({ version: '', value: null });
  useEffect(() => {
    let current = true;
    countTrainingSlices(caseId, hasSegmentation).then(
      (value) => current && setCounts({ version, value }),
      () => current && setCounts({ version, value: null }),
    );
    return () => {
      current = false;
    };
  }, [caseId, hasSegmentation, version]);
  const value = counts.version === version ? counts.value : null;
  if (!value) return null;
  return (
    <div className="case-facts" data-testid="training-slices">
      {value.used} of {value.slices} slices used for training, {value.leftOut} left out (lesion)
      {hasSegmentation && (
        <span className="warn" data-testid="healthy-seg-warning">
          {' '}
          · this healthy-train case has a segmentation: its lesion slices are left out, the rest of it trains the model as healthy
        </span>
      )}
    </div>
  );
}
