package dev.mlflowknative.camel.knative;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff of two manifests, line by line (longest common subsequence; manifests are small), with three lines
 * of context.
 */
public final class ManifestDiff {

    private static final int CONTEXT = 3;

    private ManifestDiff() {
    }

    /** Empty when both are equal. */
    public static String unified(String before, String after, String beforeName, String afterName) {
        List<String> a = before.isEmpty() ? List.of() : before.lines().toList();
        List<String> b = after.isEmpty() ? List.of() : after.lines().toList();
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> edits = new ArrayList<>(); // " line", "-line", "+line"
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                edits.add(" " + a.get(i++));
                j++;
            } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
                edits.add("-" + a.get(i++)); // removals first, as diff shows them
            } else {
                edits.add("+" + b.get(j++));
            }
        }
        if (edits.stream().allMatch(e -> e.startsWith(" "))) {
            return "";
        }
        boolean[] shown = new boolean[edits.size()];
        for (int k = 0; k < edits.size(); k++) {
            if (!edits.get(k).startsWith(" ")) {
                for (int c = Math.max(0, k - CONTEXT); c <= Math.min(edits.size() - 1, k + CONTEXT); c++) {
                    shown[c] = true;
                }
            }
        }
        StringBuilder out = new StringBuilder("--- " + beforeName + "\n+++ " + afterName + "\n");
        boolean gap = false;
        for (int k = 0; k < edits.size(); k++) {
            if (!shown[k]) {
                gap = true;
                continue;
            }
            if (gap || k == 0) {
                out.append("@@\n");
                gap = false;
            }
            out.append(edits.get(k)).append('\n');
        }
        return out.toString();
    }
}
