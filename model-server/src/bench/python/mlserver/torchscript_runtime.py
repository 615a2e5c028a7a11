"""An MLServer custom runtime serving a TorchScript classifier: the peer the model-server benchmark
compares with (same .pt file, same Open Inference Protocol v2 REST requests).

The model path comes from the model settings' ``parameters.uri``; the response carries ``logits``
(FP32 [N, classes]) and ``label`` (INT64 [N]), like our server's.
"""
import numpy as np
import torch
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse
from mlserver.utils import get_model_uri


class TorchScriptModel(MLModel):
    async def load(self) -> bool:
        self._model = torch.jit.load(await get_model_uri(self._settings), map_location="cpu")
        self._model.eval()
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        x = NumpyCodec.decode_input(payload.inputs[0]).astype(np.float32, copy=False)
        with torch.inference_mode():
            logits = self._model(torch.from_numpy(x)).numpy()
        return InferenceResponse(
            model_name=self.name,
            outputs=[
                NumpyCodec.encode_output("logits", logits),
                NumpyCodec.encode_output("label", logits.argmax(axis=1).astype(np.int64)),
            ],
        )
