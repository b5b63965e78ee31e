package io.jigsaw.operators;

import java.util.Comparator;

/**
 * Object ids ({@code detect:3}, nested {@code detect:3/parts:0}) in object order: segment by segment,
 * the index compared as a number, so {@code detect:2} comes before {@code detect:10}. A join and a
 * result list objects in this order, whatever order their pieces arrived in.
 */
final class ObjectIds {

    static final Comparator<String> ORDER = ObjectIds::compare;

    private ObjectIds() {
    }

    static String child(String parentId, String detector, int index) {
        String own = detector + ":" + index;
        return parentId == null || parentId.isEmpty() ? own : parentId + "/" + own;
    }

    static int compare(String a, String b) {
        String[] x = a.split("/");
        String[] y = b.split("/");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = compareSegment(x[i], y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    private static int compareSegment(String a, String b) {
        int i = a.lastIndexOf(':');
        int j = b.lastIndexOf(':');
        if (i < 0 || j < 0) {
            return a.compareTo(b);
        }
        int task = a.substring(0, i).compareTo(b.substring(0, j));
        if (task != 0) {
            return task;
        }
        try {
            return Integer.compare(Integer.parseInt(a.substring(i + 1)), Integer.parseInt(b.substring(j + 1)));
        } catch (NumberFormatException e) {
            return a.compareTo(b);
        }
    }
}
