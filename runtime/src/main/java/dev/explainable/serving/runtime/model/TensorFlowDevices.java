package dev.explainable.serving.runtime.model;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListMemoryBytes;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * The session configuration a model is loaded with (how TensorFlow takes GPU memory), and the devices TensorFlow
 * gives a session with it: the CPU, and each GPU TensorFlow can use (its CUDA libraries loaded, a driver and a
 * device visible). Ops with a GPU kernel run on the first GPU when there is one.
 */
public final class TensorFlowDevices {

    /**
     * One device of a session.
     *
     * @param name        TensorFlow's full name, e.g. {@code /job:localhost/replica:0/task:0/device:GPU:0}
     * @param type        {@code CPU} or {@code GPU}
     * @param memoryBytes the memory TensorFlow may use on it (for a GPU: what its allocator may take)
     */
    public record Device(String name, String type, long memoryBytes) {}

    private TensorFlowDevices() {}

    /**
     * One model per pod: without a fraction TensorFlow grows its GPU memory as the model needs it ({@code
     * allow_growth}; by default it would take nearly all of it at start); with one it takes that fraction of each
     * visible GPU at start ({@code per_process_gpu_memory_fraction}) and no more. The CPU build ignores both.
     */
    static ConfigProto configProto(OptionalDouble gpuMemoryFraction) {
        GPUOptions.Builder gpu = GPUOptions.newBuilder();
        if (gpuMemoryFraction.isPresent()) {
            gpu.setPerProcessGpuMemoryFraction(gpuMemoryFraction.getAsDouble());
        } else {
            gpu.setAllowGrowth(true);
        }
        return ConfigProto.newBuilder().setGpuOptions(gpu).build();
    }

    /**
     * The devices a session configured with {@code config} gets, listed from an empty session (TensorFlow's devices
     * are the process's: the model's session has the same ones; GPU memory is the process's too, so this takes none
     * beyond what the model's session took).
     */
    static List<Device> list(ConfigProto config) {
        TF_Status status = TF_NewStatus();
        TF_Graph graph = TF_NewGraph();
        TF_SessionOptions options = TF_NewSessionOptions();
        try {
            byte[] bytes = config.toByteArray();
            try (BytePointer proto = new BytePointer(bytes)) {
                TF_SetConfig(options, proto, bytes.length, status);
            }
            status.throwExceptionIfNotOK();
            TF_Session session = TF_NewSession(graph, options, status);
            status.throwExceptionIfNotOK();
            try {
                TF_DeviceList list = TF_SessionListDevices(session, status);
                status.throwExceptionIfNotOK();
                try {
                    int n = TF_DeviceListCount(list);
                    List<Device> devices = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        String name = TF_DeviceListName(list, i, status).getString();
                        String type = TF_DeviceListType(list, i, status).getString();
                        long memory = TF_DeviceListMemoryBytes(list, i, status);
                        status.throwExceptionIfNotOK();
                        devices.add(new Device(name, type, memory));
                    }
                    return List.copyOf(devices);
                } finally {
                    TF_DeleteDeviceList(list);
                }
            } finally {
                TF_CloseSession(session, status);
                TF_DeleteSession(session, status);
            }
        } finally {
            TF_DeleteSessionOptions(options);
            TF_DeleteGraph(graph);
            TF_DeleteStatus(status);
        }
    }
}
