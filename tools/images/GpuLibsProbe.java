import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.Optional;

import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAccess;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;
import jdk.incubator.foreign.SymbolLookup;

/**
 * Run by tools/images/check-gpu-libs.sh inside the -gpu image (java's source mode, JDK 17's incubating foreign
 * linker; no GPU needed): loads TensorFlow's GPU natives and calls, through their own CUDA stubs, one version function
 * of each CUDA library TensorFlow opens. Each stub makes TensorFlow load its library the way it does on a GPU node
 * (its dso_loader: dlopen of the soname, e.g. libcudnn.so.9, through LD_LIBRARY_PATH and ld.so.cache), so a version
 * answered here is a library TensorFlow finds. The driver (libcuda.so.1) is the node's: its call must fail here.
 * Exits 1 when a library other than the driver does not load. Usage: GpuLibsProbe <folder of the TF natives>
 */
public class GpuLibsProbe {

    private static final CLinker C = CLinker.getInstance();
    private static SymbolLookup lookup;

    public static void main(String[] args) throws Throwable {
        System.load(args[0] + "/libtensorflow_framework.so.2");
        lookup = SymbolLookup.loaderLookup();
        int failed = 0;
        failed += intOut("libcudart.so.12", "cudaRuntimeGetVersion", false);
        failed += property("libcublas.so.12", "cublasGetProperty");
        failed += sizeT("libcublasLt.so.12", "cublasLtGetVersion", 12);
        failed += intOut("libcufft.so.11", "cufftGetVersion", false);
        failed += property("libcusolver.so.11", "cusolverGetProperty");
        failed += property("libcusparse.so.12", "cusparseGetProperty");
        failed += sizeT("libcudnn.so.9", "cudnnGetVersion", 9);
        intOut("libcuda.so.1 (the driver, from the node)", "cuDriverGetVersion", true);
        System.out.println("probe: " + failed + " libraries failed to load");
        System.exit(failed == 0 ? 0 : 1);
    }

    private static MemoryAddress symbol(String name) {
        Optional<MemoryAddress> a = lookup.lookup(name);
        if (a.isEmpty()) {
            throw new IllegalStateException(name + " is not in libtensorflow_framework.so.2");
        }
        return a.get();
    }

    /** {@code status f(int *out)}: status 0 and the value, or the failure. */
    private static int intOut(String library, String function, boolean expectFailure) throws Throwable {
        MethodHandle h = C.downcallHandle(
                symbol(function),
                MethodType.methodType(int.class, MemoryAddress.class),
                FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER));
        try (ResourceScope scope = ResourceScope.newConfinedScope()) {
            MemorySegment out = MemorySegment.allocateNative(4, scope);
            int status = (int) h.invokeExact(out.address());
            return report(library, function, status, status == 0 ? MemoryAccess.getInt(out) : 0, expectFailure);
        }
    }

    /** {@code status f(libraryPropertyType, int *out)} for MAJOR, MINOR, PATCH. */
    private static int property(String library, String function) throws Throwable {
        MethodHandle h = C.downcallHandle(
                symbol(function),
                MethodType.methodType(int.class, int.class, MemoryAddress.class),
                FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_POINTER));
        int[] v = new int[3];
        try (ResourceScope scope = ResourceScope.newConfinedScope()) {
            MemorySegment out = MemorySegment.allocateNative(4, scope);
            for (int p = 0; p < 3; p++) {
                int status = (int) h.invokeExact(p, out.address());
                if (status != 0) {
                    return report(library, function, status, 0, false);
                }
                v[p] = MemoryAccess.getInt(out);
            }
        }
        System.out.printf("probe: %-20s loaded: %s -> %d.%d.%d%n", library, function, v[0], v[1], v[2]);
        return 0;
    }

    /**
     * {@code size_t f(void)}, a version {@code major * 10000 + ...}: where the library could not be loaded, the stub
     * answers an error status instead (a small number), which no major version matches.
     */
    private static int sizeT(String library, String function, int major) throws Throwable {
        MethodHandle h = C.downcallHandle(
                symbol(function), MethodType.methodType(long.class), FunctionDescriptor.of(CLinker.C_LONG));
        long v = (long) h.invokeExact();
        if (v / 10000 != major) {
            System.out.printf("probe: %-20s FAILED: %s returned %d, not a version %d.x%n", library, function, v, major);
            return 1;
        }
        return report(library, function, 0, v, false);
    }

    private static int report(String library, String function, int status, long value, boolean expectFailure) {
        if (status == 0) {
            System.out.printf("probe: %-20s loaded: %s -> %d%n", library, function, value);
            return 0;
        }
        System.out.printf(
                "probe: %-20s %s: %s returned %d%n",
                library, expectFailure ? "not here, as expected" : "FAILED", function, status);
        return expectFailure ? 0 : 1;
    }
}
