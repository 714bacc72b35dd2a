package com.example;

import software.amazon.awscdk.App;

/** The README quick start's app: rosetta's top-level statements, in the main method Java needs. */
public final class MarketingSiteApp {
    public static void main(final String[] args) {
        App app = new App();
        new MarketingSiteStack(app, "MarketingSite");
        app.synth();
    }
}
