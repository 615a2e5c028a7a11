package io.robustml.controlplane;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root (the folder holding scripts/cluster) from the build or the working directory. */
public final class RepoRoot {
    private RepoRoot() {
    }

    public static Path find() {
        String fromBuild = System.getProperty("robustml.repo.root");
        if (fromBuild != null && isRoot(Path.of(fromBuild))) {
            return Path.of(fromBuild).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (isRoot(p)) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (a folder with scripts/cluster) above "
                + Path.of("").toAbsolutePath() + "; set -Drobustml.repo.root");
    }

    private static boolean isRoot(Path p) {
        return Files.isExecutable(p.resolve("scripts/cluster"));
    }
}
