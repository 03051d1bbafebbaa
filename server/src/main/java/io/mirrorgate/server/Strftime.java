package io.mirrorgate.server;

import java.time.ZonedDateTime;

/** The strftime conversions tcpdump's {@code -G} file names use (%Y %m %d %H %M %S %s %j %y %%). */
final class Strftime {
    private Strftime() {
    }

    static String format(String pattern, ZonedDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < pattern.length(); k++) {
            char c = pattern.charAt(k);
            if (c != '%' || k + 1 == pattern.length()) {
                sb.append(c);
                continue;
            }
            char f = pattern.charAt(++k);
            switch (f) {
                case 'Y': sb.append(t.getYear()); break;
                case 'y': sb.append(String.format("%02d", t.getYear() % 100)); break;
                case 'm': sb.append(String.format("%02d", t.getMonthValue())); break;
                case 'd': sb.append(String.format("%02d", t.getDayOfMonth())); break;
                case 'H': sb.append(String.format("%02d", t.getHour())); break;
                case 'M': sb.append(String.format("%02d", t.getMinute())); break;
                case 'S': sb.append(String.format("%02d", t.getSecond())); break;
                case 'j': sb.append(String.format("%03d", t.getDayOfYear())); break;
                case 's': sb.append(t.toEpochSecond()); break;
                case '%': sb.append('%'); break;
                default: sb.append('%').append(f);
            }
        }
        return sb.toString();
    }
}
