"""An MLServer model runtime for ONNX files, run by ONNX Runtime on the CPU.

MLServer ships no ONNX runtime of its own; this one lets the robustml/mlserver-onnx image serve the
project's reference models (model-server/models/*.onnx) as a third-party Open Inference Protocol v2
server behind the sidecar (serving.runtime: custom, docs/model-server.md). Every input of the request
is fed to the graph input of the same position, as float32; every graph output is answered, in order.
The model's metadata (GET /v2/models/<name>) lists the graph's inputs and outputs, a symbolic dimension
(the batch) as -1, as the protocol asks and the analysis' tester reads.
"""

import os

import numpy as np
import onnxruntime as ort
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.errors import MLServerError
from mlserver.types import InferenceRequest, InferenceResponse, MetadataTensor
from mlserver.utils import get_model_uri


class OnnxRuntime(MLModel):
    async def load(self) -> bool:
        path = await get_model_uri(self._settings)
        options = ort.SessionOptions()
        # One thread per request by default: MLServer runs requests concurrently, and a pod's CPU quota
        # is small; ROBUSTML_MODEL_INTRA_OP_THREADS overrides, as it does for the project's own server.
        options.intra_op_num_threads = int(os.environ.get("ROBUSTML_MODEL_INTRA_OP_THREADS", "1"))
        self._session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self._inputs = [i.name for i in self._session.get_inputs()]
        self._outputs = [o.name for o in self._session.get_outputs()]
        self.inputs = [_metadata(t) for t in self._session.get_inputs()]
        self.outputs = [_metadata(t) for t in self._session.get_outputs()]
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        if len(payload.inputs) != len(self._inputs):
            raise MLServerError(
                f"the model takes {len(self._inputs)} input(s), the request has {len(payload.inputs)}",
                status_code=400,
            )
        try:
            feed = {
                name: np.ascontiguousarray(NumpyCodec.decode_input(tensor), dtype=np.float32)
                for name, tensor in zip(self._inputs, payload.inputs)
            }
            values = self._session.run(self._outputs, feed)
        except (ValueError, TypeError, ort.capi.onnxruntime_pybind11_state.InvalidArgument,
                ort.capi.onnxruntime_pybind11_state.Fail) as e:
            # Data that does not fill its shape, or a shape the graph does not take: the caller's mistake.
            raise MLServerError(str(e).splitlines()[0], status_code=400) from e
        return InferenceResponse(
            model_name=self.name,
            model_version=self.version,
            outputs=[NumpyCodec.encode_output(name=n, payload=v) for n, v in zip(self._outputs, values)],
        )


_DATATYPES = {"tensor(float)": "FP32", "tensor(double)": "FP64", "tensor(float16)": "FP16",
              "tensor(int64)": "INT64", "tensor(int32)": "INT32", "tensor(uint8)": "UINT8", "tensor(bool)": "BOOL"}


def _metadata(node) -> MetadataTensor:
    shape = [d if isinstance(d, int) and d > 0 else -1 for d in node.shape]
    return MetadataTensor(name=node.name, datatype=_DATATYPES.get(node.type, "FP32"), shape=shape)
