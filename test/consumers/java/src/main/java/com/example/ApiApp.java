package com.example;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The README ServerAppPipeline example's app: rosetta's top-level statements in the main method Java
 * needs, and `new ApiStack(...)` where rosetta writes a builder our own stack class does not have.
 */
public final class ApiApp {
    public static void main(final String[] args) {
        App app = new App();
        // A load balancer needs the stack's region at synth time.
        new ApiStack(app, "Api", StackProps.builder().env(Environment.builder().region("eu-west-1").build()).build());
        app.synth();
    }
}
