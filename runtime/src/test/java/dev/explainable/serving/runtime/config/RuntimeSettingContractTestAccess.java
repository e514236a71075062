package dev.explainable.serving.runtime.config;

import java.util.Map;

/** The runtime's configuration from an environment, for tests outside this package. */
public final class RuntimeSettingContractTestAccess {

    private RuntimeSettingContractTestAccess() {}

    public static ExplainConfig configFrom(Map<String, String> env) {
        return RuntimeSettingContractTest.configFrom(env);
    }
}
