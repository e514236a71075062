package dev.explainable.serving.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

/** The session configuration a model is loaded with, and the device listing (the CPU build: no GPU). */
class TensorFlowDevicesTest {

    @Test
    void memoryGrowsByDefault() {
        ConfigProto config = TensorFlowDevices.configProto(OptionalDouble.empty());
        assertTrue(config.getGpuOptions().getAllowGrowth());
        assertEquals(0.0, config.getGpuOptions().getPerProcessGpuMemoryFraction());
    }

    @Test
    void aFractionIsTakenAtLoadInsteadOfGrowing() {
        ConfigProto config = TensorFlowDevices.configProto(OptionalDouble.of(0.3));
        assertFalse(config.getGpuOptions().getAllowGrowth());
        assertEquals(0.3, config.getGpuOptions().getPerProcessGpuMemoryFraction());
    }

    @Test
    void theCpuBuildListsOneCpuAndNoGpu() {
        List<TensorFlowDevices.Device> devices =
                TensorFlowDevices.list(TensorFlowDevices.configProto(OptionalDouble.empty()));
        assertEquals(1, devices.stream().filter(d -> d.type().equals("CPU")).count(), devices.toString());
        assertTrue(devices.get(0).name().endsWith("/device:CPU:0"), devices.toString());
        assertTrue(devices.stream().noneMatch(d -> d.type().equals("GPU")), devices.toString());
    }

    @Test
    void theLogSaysWhatTensorFlowWasAskedOfItsOneDnnKernels() {
        assertTrue(ServingModel.oneDnn(null).startsWith("TensorFlow's choice"));
        assertTrue(ServingModel.oneDnn(" ").startsWith("TensorFlow's choice"));
        assertEquals("on (TF_ENABLE_ONEDNN_OPTS=1)", ServingModel.oneDnn("1"));
        assertEquals("on (TF_ENABLE_ONEDNN_OPTS=True)", ServingModel.oneDnn("True"));
        assertEquals("off (TF_ENABLE_ONEDNN_OPTS=0)", ServingModel.oneDnn("0"));
        assertTrue(ServingModel.oneDnn("yes").contains("does not read as true or false"));
    }
}
